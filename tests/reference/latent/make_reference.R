# R reference numbers for ringstats' one-factor normal-ogive (probit) item scoring.
#
# Run from the repository root:
#   Rscript tests/reference/latent/make_reference.R > tests/reference/latent/make_reference.log 2>&1
#
# Needs Debian packages r-base-core, r-cran-lavaan, r-cran-psych
# (apt-get install -y r-base-core r-cran-lavaan r-cran-psych).
#
# For each block of items it writes (into this script's directory):
#   latent_<block>_loadings.csv            item, lavaan_std, psych_minres
#   latent_<block>_thresholds.csv          item, t1..t4 (lavaan, latent-response / delta scale)
#   latent_<block>_polychoric_lavaan.csv   lavaan polychoric matrix (pairwise, univariate thresholds)
#   latent_<block>_polychoric_psych.csv    psych::polychoric()$rho (global = TRUE, default)
#   latent_<block>_eap.csv                 row (1-based), eap, psd for the first 100 rows,
#                                          from the lavaan loadings/thresholds by integrate()

suppressPackageStartupMessages({
  library(lavaan)
  library(psych)
})

## --- locate this script's directory ------------------------------------------
script_dir <- local({
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f) == 1L && nzchar(f)) {
    dirname(normalizePath(f))
  } else if (file.exists("tests/reference/latent/latent_items.csv")) {
    normalizePath("tests/reference/latent")
  } else {
    normalizePath(".")
  }
})
cat("script directory:", script_dir, "\n")

dat <- read.csv(file.path(script_dir, "latent_items.csv"), na.strings = "NA")
stopifnot(nrow(dat) == 1000L)
for (v in names(dat)) {
  stopifnot(all(is.na(dat[[v]]) | dat[[v]] %in% 1:5))
  dat[[v]] <- as.integer(round(dat[[v]]))
}

blocks <- list(
  prod  = c("prod1", "prod2", "prod3", "prod4"),
  ease  = c("ease1", "ease2", "ease3", "ease4"),
  ring1 = c("prod1", "prod2", "prod3", "prod4", "val1", "val2", "val3")
)

N_EAP <- 100L
K <- 5L  # categories 1..5, so thresholds t1..t4

fmt <- function(x) ifelse(is.na(x), "NA", trimws(formatC(x, digits = 15, format = "g")))

write_num_csv <- function(df, path) {
  out <- df
  for (nm in names(out)) if (is.numeric(out[[nm]])) out[[nm]] <- fmt(out[[nm]])
  write.csv(out, path, row.names = FALSE, quote = FALSE)
  cat("wrote", path, "\n")
}

write_matrix_csv <- function(m, path) {
  df <- data.frame(item = rownames(m), stringsAsFactors = FALSE)
  for (j in seq_len(ncol(m))) df[[colnames(m)[j]]] <- m[, j]
  write_num_csv(df, path)
}

## --- EAP by numerical integration ---------------------------------------------
# P(x_j = c | theta) = Phi((tau_c - l theta)/s) - Phi((tau_{c-1} - l theta)/s),
# s = sqrt(1 - l^2), tau_0 = -Inf, tau_K = +Inf. Missing items are skipped.
cat_prob <- function(theta, tau_lo, tau_hi, lam) {
  s <- sqrt(1 - lam^2)
  zlo <- (tau_lo - lam * theta) / s
  zhi <- (tau_hi - lam * theta) / s
  # use the upper tail where both arguments are positive (no cancellation near 1)
  ifelse(zlo > 0,
         pnorm(zlo, lower.tail = FALSE) - pnorm(zhi, lower.tail = FALSE),
         pnorm(zhi) - pnorm(zlo))
}

loglik_fun <- function(x, lam, tau) {
  # x: integer responses (NA allowed); lam: loadings; tau: J x (K-1) thresholds
  obs <- which(!is.na(x))
  function(theta) {
    ll <- numeric(length(theta))
    for (j in obs) {
      c <- x[j]
      lo <- if (c == 1L) -Inf else tau[j, c - 1L]
      hi <- if (c == K) Inf else tau[j, c]
      ll <- ll + log(cat_prob(theta, lo, hi, lam[j]))
    }
    ll
  }
}

eap_one <- function(x, lam, tau) {
  if (all(is.na(x))) return(c(NA_real_, NA_real_))
  ll <- loglik_fun(x, lam, tau)
  lpost <- function(t) ll(t) + dnorm(t, log = TRUE)
  mode <- optimize(lpost, c(-8, 8), maximum = TRUE, tol = 1e-10)
  cst <- mode$objective  # rescale to avoid underflow; cancels in the ratios
  f0 <- function(t) exp(lpost(t) - cst)
  f1 <- function(t) t * exp(lpost(t) - cst)
  f2 <- function(t) t^2 * exp(lpost(t) - cst)
  lo <- -10; hi <- 10
  I <- function(f) integrate(f, lo, hi, rel.tol = 1e-12, abs.tol = 0,
                             subdivisions = 1000L)$value
  z <- I(f0); m1 <- I(f1) / z; m2 <- I(f2) / z
  c(m1, sqrt(m2 - m1^2))
}

## --- per block -------------------------------------------------------------
summary_rows <- list()

for (bname in names(blocks)) {
  items <- blocks[[bname]]
  cat("\n==================== block", bname, ":", paste(items, collapse = ", "),
      "====================\n")
  X <- dat[, items]

  ## (a) lavaan: ULS on polychorics, std.lv, pairwise, delta parametrisation
  model <- paste("F =~", paste(items, collapse = " + "))
  fit <- withCallingHandlers(
    cfa(model, data = X, ordered = items, estimator = "ULS", std.lv = TRUE,
        missing = "pairwise", parameterization = "delta"),
    warning = function(w) {
      cat("LAVAAN WARNING (", bname, "):", conditionMessage(w), "\n")
      invokeRestart("muffleWarning")
    })
  cat("converged:", lavInspect(fit, "converged"), "\n")
  cat("parameterization option:", lavInspect(fit, "options")$parameterization, "\n")

  pe <- parameterEstimates(fit, standardized = TRUE)
  ld <- pe[pe$op == "=~", ]
  ld <- ld[match(items, ld$rhs), ]
  lam_est <- ld$est
  lam_std <- ld$std.all
  th <- pe[pe$op == "|", ]
  tau <- t(sapply(items, function(v) {
    r <- th[th$lhs == v, ]
    r$est[match(paste0("t", 1:(K - 1)), r$rhs)]
  }))
  tau_std <- t(sapply(items, function(v) {
    r <- th[th$lhs == v, ]
    r$std.all[match(paste0("t", 1:(K - 1)), r$rhs)]
  }))
  colnames(tau) <- paste0("t", 1:(K - 1))
  resid <- pe[pe$op == "~~" & pe$lhs == pe$rhs & pe$lhs %in% items, ]
  resid <- resid$est[match(items, resid$lhs)]

  # parametrisation checks
  # scale factors of y* (lavaan's model matrix "delta"); 1 under delta parametrisation
  delta <- lavInspect(fit, "est")$delta
  cat("scale factors (delta):", fmt(as.numeric(delta)), "\n")
  cat("max |est - std.all| loadings:", max(abs(lam_est - lam_std)), "\n")
  cat("max |est - std.all| thresholds:", max(abs(tau - tau_std)), "\n")
  cat("max |residual var - (1 - lambda^2)|:", max(abs(resid - (1 - lam_est^2))), "\n")
  tau_marg <- t(sapply(items, function(v) {
    x <- X[[v]][!is.na(X[[v]])]
    qnorm(cumsum(tabulate(x, K))[1:(K - 1)] / length(x))
  }))
  cat("max |lavaan thresholds - qnorm(marginal cumulative proportions)|:",
      max(abs(tau - tau_marg)), "\n")
  stopifnot(all(apply(tau, 1, function(r) all(diff(r) > 0))))

  pc_lav <- unclass(lavInspect(fit, "sampstat")$cov)
  pc_lav <- matrix(as.numeric(pc_lav), nrow(pc_lav), dimnames = dimnames(pc_lav))
  pc_lav <- pc_lav[items, items]
  pc_lav2 <- unclass(lavCor(X, ordered = items, missing = "pairwise"))
  pc_lav2 <- matrix(as.numeric(pc_lav2), nrow(pc_lav2), dimnames = dimnames(pc_lav2))
  cat("max |sampstat cov - lavCor|:", max(abs(pc_lav - pc_lav2[items, items])), "\n")
  # model-implied vs fitted: ULS on the off-diagonal polychorics
  implied <- tcrossprod(lam_est); diag(implied) <- 1
  cat("max |polychoric - implied| (off-diagonal):",
      max(abs((pc_lav - implied)[upper.tri(implied)])), "\n")

  ## (b) psych: polychoric (global thresholds, default) and minres one factor
  pc_ps_obj <- withCallingHandlers(
    polychoric(X),
    warning = function(w) {
      cat("PSYCH WARNING (", bname, "):", conditionMessage(w), "\n")
      invokeRestart("muffleWarning")
    })
  pc_ps <- pc_ps_obj$rho[items, items]
  fa_ps <- withCallingHandlers(
    fa(pc_ps, nfactors = 1, fm = "minres", n.obs = nrow(X), rotate = "none"),
    warning = function(w) {
      cat("PSYCH WARNING (", bname, "):", conditionMessage(w), "\n")
      invokeRestart("muffleWarning")
    })
  lam_ps <- as.numeric(unclass(fa_ps$loadings)[items, 1])
  if (sum(lam_ps) < 0) lam_ps <- -lam_ps
  # also psych's minres on lavaan's polychoric: isolates the estimator from the input
  lam_ps_on_lav <- as.numeric(unclass(fa(pc_lav, nfactors = 1, fm = "minres",
                                         n.obs = nrow(X), rotate = "none")$loadings)[items, 1])
  if (sum(lam_ps_on_lav) < 0) lam_ps_on_lav <- -lam_ps_on_lav
  tau_ps <- pc_ps_obj$tau[items, ]
  cat("max |psych tau - lavaan tau|:", max(abs(tau_ps - tau)), "\n")

  d_pc <- max(abs(pc_lav - pc_ps)[upper.tri(pc_lav)])
  d_ld <- max(abs(lam_std - lam_ps))
  d_ld2 <- max(abs(lam_std - lam_ps_on_lav))
  cat("max |polychoric lavaan - psych|:", d_pc, "\n")
  cat("max |loadings lavaan - psych minres|:", d_ld, "\n")
  cat("max |loadings lavaan - psych minres on lavaan's polychoric|:", d_ld2, "\n")

  ## outputs
  write_num_csv(data.frame(item = items, lavaan_std = lam_std, psych_minres = lam_ps),
                file.path(script_dir, sprintf("latent_%s_loadings.csv", bname)))
  write_num_csv(data.frame(item = items, tau, check.names = FALSE),
                file.path(script_dir, sprintf("latent_%s_thresholds.csv", bname)))
  write_matrix_csv(pc_lav, file.path(script_dir, sprintf("latent_%s_polychoric_lavaan.csv", bname)))
  write_matrix_csv(pc_ps, file.path(script_dir, sprintf("latent_%s_polychoric_psych.csv", bname)))

  ## (c) EAP and posterior SD for the first 100 rows
  Xm <- as.matrix(X[seq_len(N_EAP), ])
  res <- t(apply(Xm, 1, eap_one, lam = lam_std, tau = tau))
  eap <- data.frame(row = seq_len(N_EAP), eap = res[, 1], psd = res[, 2])
  write_num_csv(eap, file.path(script_dir, sprintf("latent_%s_eap.csv", bname)))

  # independent cross-check: dense trapezoid grid on [-10, 10]
  grid <- seq(-10, 10, length.out = 20001)
  chk <- t(apply(Xm, 1, function(x) {
    if (all(is.na(x))) return(c(NA, NA))
    lp <- loglik_fun(x, lam_std, tau)(grid) + dnorm(grid, log = TRUE)
    w <- exp(lp - max(lp)); m <- sum(grid * w) / sum(w)
    c(m, sqrt(sum(grid^2 * w) / sum(w) - m^2))
  }))
  cat("max |integrate - grid| eap:", max(abs(chk[, 1] - eap$eap), na.rm = TRUE),
      " psd:", max(abs(chk[, 2] - eap$psd), na.rm = TRUE), "\n")
  cat("loadings:", fmt(lam_std), "\n")
  cat("EAP range:", range(eap$eap, na.rm = TRUE), " PSD range:", range(eap$psd, na.rm = TRUE),
      " NA rows:", sum(is.na(eap$eap)), "\n")
  cat("rows with some missing item among first", N_EAP, ":",
      sum(rowSums(is.na(Xm)) > 0), "\n")

  summary_rows[[bname]] <- data.frame(block = bname, max_diff_polychoric = d_pc,
                                      max_diff_loadings = d_ld,
                                      max_diff_loadings_same_input = d_ld2)
}

cat("\n==================== summary ====================\n")
print(do.call(rbind, summary_rows), digits = 6, row.names = FALSE)

cat("\nR:", R.version.string, "\n")
cat("lavaan:", as.character(packageVersion("lavaan")), "\n")
cat("psych:", as.character(packageVersion("psych")), "\n\n")
print(sessionInfo())
