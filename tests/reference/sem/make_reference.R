# Reference numbers for ringstats.sem (structural equation models, ML and FIML).
# Run from this folder:  Rscript make_reference.R > make_reference.log
# Input data are the CSVs of ../measurement (written by ../measurement/export_data.py).
# Debian R with lavaan 0.6.14.
suppressPackageStartupMessages(library(lavaan))
cat("R", R.version.string, "lavaan", as.character(packageVersion("lavaan")), "\n")
fitnames <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
              "logl", "unrestricted.logl", "aic", "bic", "rmsea", "rmsea.ci.lower",
              "rmsea.ci.upper", "rmsea.pvalue", "srmr", "ntotal")
save_fit <- function(fit, stem) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci.lower",
                   "ci.upper", "std.lv", "std.all")], paste0(stem, "_params.csv"),
            row.names = FALSE)
  fm <- fitMeasures(fit, fitnames)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), paste0(stem, "_fit.csv"),
            row.names = FALSE)
  ss <- standardizedSolution(fit)
  write.csv(ss[, c("lhs", "op", "rhs", "est.std", "se", "ci.lower", "ci.upper")],
            paste0(stem, "_std.csv"), row.names = FALSE)
  r2 <- inspect(fit, "r2")
  write.csv(data.frame(variable = names(r2), r2 = as.numeric(r2)), paste0(stem, "_r2.csv"),
            row.names = FALSE)
  print(fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "srmr")))
}

# 1. Holzinger-Swineford with structural paths (lavaan tutorial model plus regressions) --------
hs <- read.csv("../measurement/holzinger39.csv")
hs_model <- "visual =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed =~ x7 + x8 + x9
             textual ~ a*visual
             speed ~ b*visual + c*textual
             ind := a*c
             tot := b + a*c"
save_fit(sem(hs_model, data = hs), "sem_hs")

# 2. The same model with FIML on the copy with ~5% missing values ------------------------------
hsm <- read.csv("../measurement/holzinger39_missing.csv")
save_fit(sem(hs_model, data = hsm, missing = "ml"), "sem_hs_fiml")

# 3. The ECSI model on mobi, as in seminr's covariance-based example (estimate_cbsem) ---------
# Complaints is the single item CUSCO (an observed variable in the structural model). The
# solution is improper (negative residual variance of Loyalty; lavaan warns): ringstats must
# find the same optimum and flag it.
mobi <- read.csv("../measurement/mobi.csv")
ecsi <- "Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
         Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
         Value =~ PERV1 + PERV2
         Satisfaction =~ CUSA1 + CUSA2 + CUSA3
         Loyalty =~ CUSL1 + CUSL2 + CUSL3
         Quality ~ q1*Image
         Value ~ v1*Image + v2*Quality
         Satisfaction ~ s1*Image + s2*Quality + s3*Value
         CUSCO ~ c1*Satisfaction
         Loyalty ~ l1*Image + l2*Satisfaction + l3*CUSCO
         tot_Satisfaction_Loyalty := l2 + c1*l3
         ind_Quality_Loyalty := (s2 + v2*s3)*(l2 + c1*l3)
         tot_Image_Loyalty := l1 + (s1 + q1*s2 + v1*s3 + q1*v2*s3)*(l2 + c1*l3)"
save_fit(sem(ecsi, data = mobi), "sem_ecsi")

# 4. The rings' default model on the ecsi_mobi ring spec: every construct -> observed LTR -------
rings <- "quality =~ PERQ2 + PERQ4 + PERQ5 + PERQ6
          value =~ PERV1 + PERV2
          service =~ PERQ3 + PERQ7
          connection =~ IMAG1 + IMAG4
          CUSL3 ~ r1a*quality + r1b*value + r2*service + r3*connection
          ring1 := r1a + r1b"
save_fit(sem(rings, data = mobi), "sem_rings_mobi")
