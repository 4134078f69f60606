# Reference output of lavaan's WLSMV (DWLS + robust SEs + scaled-shifted test) for
# ringstats' stage 2-3 tests (tests/test_wlsmv.py). Run from this directory:
#   Rscript make_dwls.R > make_dwls.log 2>&1
# Data: psych::bfi as stored in ../measurement/bfi.csv (25 items, 6 categories), listwise.
# lavaan's sample statistics (wls.obs, gamma, nobs) are written only for the SEM, whose rows
# (complete on 20 items) differ: those of the CFA fits are ordinal_stats.R's bfi_* and
# bfi_gender_* files (same rows; the tests read them there).
suppressPackageStartupMessages({library(lavaan)})
cat("lavaan", as.character(packageVersion("lavaan")), "\n")
bfi <- read.csv("../measurement/bfi.csv")
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5),
           paste0("O", 1:5))
cfa_model <- "
A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5
"
sem_model <- "
A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
E ~ A + C
N ~ E + C
"
fm_names <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled",
              "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq", "baseline.df",
              "baseline.chisq.scaled", "baseline.df.scaled", "baseline.chisq.scaling.factor",
              "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
              "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
              "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
              "rmsea.pvalue.scaled", "rmsea.robust", "rmsea.ci.lower.robust",
              "rmsea.ci.upper.robust", "srmr", "wrmr", "ntotal")

dump_fit <- function(fit, tag, stats = TRUE) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe$group <- if (is.null(pe$group)) 1L else pe$group
  write.csv(pe[, c("lhs", "op", "rhs", "group", "est", "se", "std.all")],
            paste0("dwls_", tag, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit, fm_names)
  ts <- lavInspect(fit, "test")
  ss <- ts[["scaled.shifted"]]
  extra <- c(shift.parameter = ss$shift.parameter, scaling.factor = ss$scaling.factor,
             trace.UGamma = ss$trace.UGamma, trace.UGamma2 = ss$trace.UGamma2,
             fmin = fitMeasures(fit, "fmin"))
  out <- data.frame(measure = c(names(fm), names(extra)),
                    value = c(as.numeric(fm), as.numeric(extra)))
  write.csv(out, paste0("dwls_", tag, "_fit.csv"), row.names = FALSE)
  if (stats) {
    ng <- lavInspect(fit, "ngroups")
    obs <- lavInspect(fit, "wls.obs"); gam <- lavInspect(fit, "gamma")
    if (ng == 1) { obs <- list(obs); gam <- list(gam) }
    for (g in seq_len(ng)) {
      write.csv(data.frame(name = names(obs[[g]]), value = sprintf("%.12g", obs[[g]])),
                paste0("dwls_", tag, "_g", g, "_wlsobs.csv"), row.names = FALSE, quote = FALSE)
      con <- gzfile(paste0("dwls_", tag, "_g", g, "_gamma.csv.gz"), "w")
      write.table(format(unname(gam[[g]]), digits = 10), con, sep = ",", row.names = FALSE,
                  col.names = FALSE, quote = FALSE)
      close(con)
    }
    n <- unlist(lavInspect(fit, "nobs"))
    write.csv(data.frame(group = seq_along(n), n = n), paste0("dwls_", tag, "_nobs.csv"),
              row.names = FALSE)
  }
  print(fm)
  print(extra)
}

d <- bfi[complete.cases(bfi[, items]), ]
fit1 <- cfa(cfa_model, data = bfi, ordered = items, estimator = "WLSMV")
dump_fit(fit1, "cfa_bfi", stats = FALSE)  # statistics: ordinal_stats.R's bfi_*
fit1s <- cfa(cfa_model, data = bfi, ordered = items, estimator = "WLSMV", std.lv = TRUE)
dump_fit(fit1s, "cfa_bfi_stdlv", stats = FALSE)
fit2 <- sem(sem_model, data = bfi, ordered = items[1:20], estimator = "WLSMV")
dump_fit(fit2, "sem_bfi")
# two groups (gender), configural: the multi-group core
fit3 <- cfa(cfa_model, data = bfi, ordered = items, estimator = "WLSMV", group = "gender")
dump_fit(fit3, "cfa_bfi_gender", stats = FALSE)  # statistics: bfi_gender_g1/g2_*
# 5-point items: collapse categories 1-2 of every item (checks fewer thresholds); the tests
# build the same frame from ../measurement/bfi.csv
d5 <- bfi
for (it in items) d5[[it]] <- pmax(d5[[it]], 2) - 1
fit4 <- cfa("A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5", data = d5,
            ordered = items[1:10], estimator = "WLSMV")
dump_fit(fit4, "cfa_bfi5", stats = FALSE)
