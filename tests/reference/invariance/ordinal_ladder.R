# Reference numbers for ringstats.invariance(estimator="WLSMV"): ordinal measurement
# invariance of psych::bfi agreeableness (A2-A5) and conscientiousness (C1-C4) across gender
# (1 = male, 2 = female), Wu & Estabrook (2016) identification as built by semTools'
# measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016"); WLSMV (DWLS, robust SE,
# scaled-shifted test), listwise complete rows.
# Run from this folder:  Rscript ordinal_ladder.R > ordinal_ladder.log
suppressPackageStartupMessages({library(lavaan); library(semTools); library(psych)})
cat("R", R.version.string, "lavaan", as.character(packageVersion("lavaan")),
    "semTools", as.character(packageVersion("semTools")), "psych",
    as.character(packageVersion("psych")), "\n")
items <- c("A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4")
d <- bfi[, c(items, "gender")]
d <- d[complete.cases(d), ]
cat("complete rows", nrow(d), "\n")
model <- "agree =~ A2 + A3 + A4 + A5
          consc =~ C1 + C2 + C3 + C4"
fitnames <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
              "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.chisq.scaled",
              "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "rmsea", "rmsea.scaled",
              "rmsea.robust", "srmr", "ntotal", "rmsea.ci.lower.scaled",
              "rmsea.ci.upper.scaled")
ladder <- list(configural = "", thresholds = "thresholds",
               metric = c("thresholds", "loadings"),
               scalar = c("thresholds", "loadings", "intercepts"),
               strict = c("thresholds", "loadings", "intercepts", "residuals"))
fits <- list()
for (pz in c("delta", "theta")) for (k in names(ladder)) {
  if (pz == "delta" && k == "strict") next
  syn <- measEq.syntax(model, data = d, ordered = items, group = "gender",
                       ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
                       parameterization = pz, group.equal = ladder[[k]])
  fits[[paste(pz, k, sep = "_")]] <- cfa(as.character(syn), data = d, ordered = items,
                                         group = "gender", estimator = "WLSMV",
                                         parameterization = pz)
}
cat("group labels", lavInspect(fits[[1]], "group.label"), "\n")
fm <- do.call(rbind, lapply(names(fits), function(k)
  data.frame(model = k, t(as.numeric(fitMeasures(fits[[k]], fitnames))))))
names(fm) <- c("model", fitnames)
write.csv(fm, "ord_bfi_fit.csv", row.names = FALSE)
print(fm[, c("model", "npar", "chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled",
             "cfi.robust", "rmsea.robust")])
# Satorra (2000) scaled-shifted difference tests, lavTestLRT's default for WLSMV
lrt_rows <- list()
for (pz in c("delta", "theta")) {
  lv <- if (pz == "delta") names(ladder)[1:4] else names(ladder)
  for (i in 2:length(lv)) {
    a <- fits[[paste(pz, lv[i - 1], sep = "_")]]; b <- fits[[paste(pz, lv[i], sep = "_")]]
    r <- lavTestLRT(a, b)
    lrt_rows[[length(lrt_rows) + 1]] <- data.frame(
      parameterization = pz, model = lv[i], against = lv[i - 1],
      chisq_diff = r[["Chisq diff"]][2], df_diff = r[["Df diff"]][2],
      p_diff = r[["Pr(>Chisq)"]][2])
  }
}
lrt <- do.call(rbind, lrt_rows)
write.csv(lrt, "ord_bfi_lrt.csv", row.names = FALSE)
print(lrt)
for (k in names(fits)) {
  pe <- parameterEstimates(fits[[k]])
  write.csv(pe[, c("lhs", "op", "rhs", "group", "est", "se")],
            paste0("ord_bfi_", k, "_params.csv"), row.names = FALSE)
}
# the sample statistics lavaan fits (per group: thresholds then polychorics below the
# diagonal column by column, and NACOV), so that the model and DWLS can be checked alone
f0 <- fits$delta_configural
ss <- lavInspect(f0, "sampstat")
gam <- lavInspect(f0, "gamma")
for (g in 1:2) {
  R <- ss[[g]]$cov
  s <- c(ss[[g]]$th, R[lower.tri(R)])
  write.csv(data.frame(stat = s), paste0("ord_bfi_sampstat_g", g, ".csv"), row.names = FALSE)
  write.csv(unname(gam[[g]]), paste0("ord_bfi_gamma_g", g, ".csv"), row.names = FALSE)
}
cat("nobs", unlist(lavInspect(f0, "nobs")), "\n")
# score tests of the thresholds model's equality constraints (which to free first)
sc <- lavTestScore(fits$delta_thresholds)
u <- sc$uni[order(-sc$uni$X2), ][1:8, ]
pt <- parTable(fits$delta_thresholds)
u$lhs_par <- pt$label[match(u$lhs, pt$plabel)]
print(u)
