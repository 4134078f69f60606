# Reference numbers for ringstats' measurement module (CFA, reliability, polychoric, EFA, HTMT).
# Run from this folder after `python export_data.py`:  Rscript make_reference.R
# Debian R with lavaan 0.6.14, psych 2.2.9, semTools 0.5.6, GPArotation.
suppressPackageStartupMessages({
  library(lavaan); library(psych); library(semTools); library(GPArotation)
})
cat("R", R.version.string, "lavaan", as.character(packageVersion("lavaan")),
    "psych", as.character(packageVersion("psych")),
    "semTools", as.character(packageVersion("semTools")), "\n")
fitnames <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
              "logl", "unrestricted.logl", "aic", "bic", "rmsea", "rmsea.ci.lower",
              "rmsea.ci.upper", "rmsea.pvalue", "srmr", "ntotal")
save_fit <- function(fit, stem) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
                   "std.lv", "std.all")], paste0(stem, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit, fitnames)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), paste0(stem, "_fit.csv"),
            row.names = FALSE)
  ss <- standardizedSolution(fit)
  write.csv(ss[, c("lhs", "op", "rhs", "est.std", "se", "ci.lower", "ci.upper")],
            paste0(stem, "_std.csv"), row.names = FALSE)
}

# 1. CFA: lavaan's three-factor HolzingerSwineford1939 model (ML, defaults) -------------------
hs <- read.csv("holzinger39.csv")
hs_model <- "visual =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed =~ x7 + x8 + x9"
fit <- cfa(hs_model, data = hs)
save_fit(fit, "cfa_hs")
print(fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "srmr")))
hsm <- read.csv("holzinger39_missing.csv")
save_fit(cfa(hs_model, data = hsm, missing = "listwise"), "cfa_hs_listwise")
save_fit(cfa(hs_model, data = hsm, missing = "ml"), "cfa_hs_fiml")
# observed information (for the information= option)
save_fit(cfa(hs_model, data = hs, information = "observed"), "cfa_hs_observed")

# 2. Reliability on the ECSI mobi data ----------------------------------------------------------
mobi <- read.csv("mobi.csv")
blocks <- list(IMAG = paste0("IMAG", 1:5), CUEX = paste0("CUEX", 1:3),
               PERQ = paste0("PERQ", 1:7), PERV = paste0("PERV", 1:2),
               CUSA = paste0("CUSA", 1:3), CUSL = paste0("CUSL", 1:3))
rel <- data.frame(); items <- data.frame()
for (b in names(blocks)) {
  x <- mobi[, blocks[[b]]]
  a <- alpha(x, check.keys = FALSE, warnings = FALSE)
  om <- if (ncol(x) >= 3) suppressWarnings(omega(x, nfactors = 1, plot = FALSE)$omega.tot) else NA
  rel <- rbind(rel, data.frame(construct = b, raw_alpha = a$total$raw_alpha,
                               std_alpha = a$total$std.alpha,
                               feldt_lower = as.numeric(a$feldt$lower.ci), feldt_upper = as.numeric(a$feldt$upper.ci),
                               omega_tot = om))
  items <- rbind(items, data.frame(construct = b, item = rownames(a$item.stats),
                                   r_drop = a$item.stats$r.drop,
                                   alpha_drop = a$alpha.drop$raw_alpha))
}
write.csv(rel, "reliability_mobi.csv", row.names = FALSE)
write.csv(items, "reliability_mobi_items.csv", row.names = FALSE)
print(rel)

mobi_model <- paste(sapply(names(blocks), function(b)
  paste(b, "=~", paste(blocks[[b]], collapse = " + "))), collapse = "\n")
mfit <- cfa(mobi_model, data = mobi)
save_fit(mfit, "cfa_mobi")
cr <- compRelSEM(mfit, obs.var = FALSE)
ave <- AVE(mfit)
# CR and AVE by the Fornell-Larcker formulas on lavaan's standardised loadings (std.all):
# CR = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)), AVE = mean(l^2); semTools' compRelSEM/AVE
# (different denominators) are stored alongside for information.
ss <- standardizedSolution(mfit)
fl <- t(sapply(names(blocks), function(b) {
  l <- ss$est.std[ss$op == "=~" & ss$lhs == b]
  c(cr_formula = sum(l)^2 / (sum(l)^2 + sum(1 - l^2)), ave_formula = mean(l^2))
}))
write.csv(data.frame(construct = names(blocks), fl, semtools_cr = as.numeric(cr[names(blocks)]),
                     semtools_ave = as.numeric(ave[names(blocks)])),
          "cr_ave_mobi.csv", row.names = FALSE)
ht1 <- htmt(mobi_model, data = mobi, htmt2 = FALSE)
ht2 <- htmt(mobi_model, data = mobi, htmt2 = TRUE)
write.csv(as.data.frame(as.matrix(ht1)), "htmt_mobi.csv")
write.csv(as.data.frame(as.matrix(ht2)), "htmt2_mobi.csv")
print(ht1)

# 3. Polychoric correlations on the 25 bfi personality items -----------------------------------
bfi <- read.csv("bfi.csv")
t_poly <- system.time(pc <- polychoric(bfi[, 1:25]))
write.csv(pc$rho, "polychoric_bfi_rho.csv")
write.csv(pc$tau, "polychoric_bfi_tau.csv")
cat("psych::polychoric 25 bfi items:", t_poly[["elapsed"]], "s\n")
# a subset that is certainly PD: also unsmoothed
write.csv(data.frame(seconds = t_poly[["elapsed"]]), "polychoric_bfi_time.csv", row.names = FALSE)
# items with unequal response ranges (education 1-5 vs personality items 1-6): psych switches
# to global = FALSE (thresholds per pair from the pair's margins, empty cells set to correct/n)
pc2 <- suppressWarnings(polychoric(bfi[, c("A1", "A2", "C1", "N1", "education")]))
write.csv(pc2$rho, "polychoric_bfi_local_rho.csv")

# 4. EFA on bfi ---------------------------------------------------------------------------------
f5 <- fa(bfi[, 1:25], nfactors = 5, fm = "minres", rotate = "oblimin")
write.csv(unclass(f5$loadings), "fa_bfi_minres_oblimin_5_loadings.csv")
write.csv(f5$Phi, "fa_bfi_minres_oblimin_5_phi.csv")
write.csv(data.frame(item = names(f5$communality), h2 = f5$communality),
          "fa_bfi_minres_oblimin_5_h2.csv", row.names = FALSE)
f5ml <- fa(bfi[, 1:25], nfactors = 5, fm = "ml", rotate = "varimax")
write.csv(unclass(f5ml$loadings), "fa_bfi_ml_varimax_5_loadings.csv")
f5pa <- fa(bfi[, 1:25], nfactors = 5, fm = "pa", rotate = "promax")
write.csv(unclass(f5pa$loadings), "fa_bfi_pa_promax_5_loadings.csv")
k <- KMO(bfi[, 1:25])
b <- cortest.bartlett(cor(bfi[, 1:25], use = "pairwise"), n = nrow(bfi))
write.csv(data.frame(item = c(names(k$MSAi), "overall"), msa = c(k$MSAi, k$MSA)),
          "kmo_bfi.csv", row.names = FALSE)
write.csv(data.frame(chisq = b$chisq, df = b$df, p = b$p.value), "bartlett_bfi.csv",
          row.names = FALSE)
cat("done\n")
