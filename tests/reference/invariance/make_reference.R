# Reference numbers for ringstats.invariance (multi-group CFA, ML): HolzingerSwineford1939
# by school, the lavaan tutorial's measurement-invariance example.
# Run from this folder:  Rscript make_reference.R > make_reference.log
# Input: ../measurement/holzinger39.csv. Debian R with lavaan 0.6.14, semTools 0.5.6.
suppressPackageStartupMessages({library(lavaan); library(semTools)})
cat("R", R.version.string, "lavaan", as.character(packageVersion("lavaan")),
    "semTools", as.character(packageVersion("semTools")), "\n")
hs <- read.csv("../measurement/holzinger39.csv")
model <- "visual =~ x1 + x2 + x3
          textual =~ x4 + x5 + x6
          speed =~ x7 + x8 + x9"
fitnames <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
              "logl", "unrestricted.logl", "aic", "bic", "rmsea", "rmsea.ci.lower",
              "rmsea.ci.upper", "srmr", "ntotal")
fits <- list(
  configural = cfa(model, data = hs, group = "school"),
  metric = cfa(model, data = hs, group = "school", group.equal = "loadings"),
  scalar = cfa(model, data = hs, group = "school", group.equal = c("loadings", "intercepts")),
  strict = cfa(model, data = hs, group = "school",
               group.equal = c("loadings", "intercepts", "residuals")),
  # the tutorial's partial scalar model: intercepts of x3 and x7 free
  partial = cfa(model, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
                group.partial = c("x3~1", "x7~1")),
  # strict on top of the partial scalar model (where ringstats' ladder goes next)
  partial_strict = cfa(model, data = hs, group = "school",
                       group.equal = c("loadings", "intercepts", "residuals"),
                       group.partial = c("x3~1", "x7~1")))
fm <- do.call(rbind, lapply(names(fits), function(k)
  data.frame(model = k, t(as.numeric(fitMeasures(fits[[k]], fitnames))))))
names(fm) <- c("model", fitnames)
write.csv(fm, "mi_hs_fit.csv", row.names = FALSE)
print(fm[, c("model", "chisq", "df", "cfi", "rmsea", "srmr")])
lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar, fits$strict)
write.csv(data.frame(model = c("configural", "metric", "scalar", "strict"),
                     chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
                     p_diff = lrt[["Pr(>Chisq)"]]), "mi_hs_lrt.csv", row.names = FALSE)
print(lrt)
for (k in names(fits)) {
  pe <- parameterEstimates(fits[[k]])
  write.csv(pe[, c("lhs", "op", "rhs", "group", "est", "se")], paste0("mi_hs_", k, "_params.csv"),
            row.names = FALSE)
}
# score tests of the scalar model's equality constraints (which to free first)
sc <- lavTestScore(fits$scalar)
print(sc$uni[order(-sc$uni$X2), ][1:5, ])
# semTools' measEq.syntax gives the same ladder (checked here, not stored)
ms <- measEq.syntax(model, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
                    return.fit = TRUE)
cat("measEq scalar chisq", fitMeasures(ms, "chisq"), "\n")
