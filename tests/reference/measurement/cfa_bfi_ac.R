# Reference numbers for a CFA whose marker items are reverse-keyed: psych's bfi,
# Agreeableness (A1 reverse-keyed, first) and Conscientiousness (C1..C5, C4 and C5
# reverse-keyed), items NOT recoded, ML, listwise deletion (lavaan's default), with the
# first item as marker and with std.lv = TRUE; FIML (missing = "ml"); and the same model by
# gender (configural and metric).
# Run from this folder:  Rscript cfa_bfi_ac.R > cfa_bfi_ac.log
# Input: bfi.csv (psych::bfi as exported by export_data.py). Debian R with lavaan 0.6.14.
suppressPackageStartupMessages(library(lavaan))
cat("R", R.version.string, "lavaan", as.character(packageVersion("lavaan")), "\n")
bfi <- read.csv("bfi.csv")
model <- "A =~ A1 + A2 + A3 + A4 + A5
          C =~ C1 + C2 + C3 + C4 + C5"
fitnames <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
              "logl", "unrestricted.logl", "aic", "bic", "rmsea", "rmsea.ci.lower",
              "rmsea.ci.upper", "rmsea.pvalue", "srmr", "ntotal")
save_fit <- function(fit, stem) {
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
                   "std.lv", "std.all")], paste0(stem, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit, fitnames)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), paste0(stem, "_fit.csv"),
            row.names = FALSE)
  ss <- standardizedSolution(fit)
  write.csv(ss[, c("lhs", "op", "rhs", "est.std", "se", "ci.lower", "ci.upper")],
            paste0(stem, "_std.csv"), row.names = FALSE)
  cat(stem, "iterations", lavInspect(fit, "iterations"), "\n")
  print(fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl")))
}
ml <- cfa(model, data = bfi)
save_fit(ml, "cfa_bfi_ac")
print(parameterEstimates(ml)[1:12, c("lhs", "op", "rhs", "est", "se")])
save_fit(cfa(model, data = bfi, std.lv = TRUE), "cfa_bfi_ac_stdlv")
save_fit(cfa(model, data = bfi, missing = "ml"), "cfa_bfi_ac_fiml")
# by gender (1 = male, 2 = female): configural and metric, marker items
g <- list(configural = cfa(model, data = bfi, group = "gender"),
          metric = cfa(model, data = bfi, group = "gender", group.equal = "loadings"))
fm <- do.call(rbind, lapply(names(g), function(k)
  data.frame(model = k, t(as.numeric(fitMeasures(g[[k]], fitnames))))))
names(fm) <- c("model", fitnames)
write.csv(fm, "cfa_bfi_ac_gender_fit.csv", row.names = FALSE)
print(fm[, c("model", "chisq", "df", "cfi", "rmsea", "srmr")])
