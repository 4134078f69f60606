# Reference values for ringstats.shape (segmented regression, Davies test, spline
# nonlinearity test). Inputs are exported by make_data.py; run from this directory:
#   Rscript make_reference.R
# segmented 1.6.2, mgcv 1.8, R >= 4.3 (versions used are in make_reference.log). Outputs: segmented_reference.csv,
# spline_reference.csv, spline_mgcv_reference.csv.
suppressMessages(library(segmented))
suppressMessages(library(mgcv))
library(splines)

sets <- list(
  seg_small = list(file = "seg_small.csv", cov = character(0)),
  weak_small = list(file = "weak_small.csv", cov = character(0)),
  seg_cov = list(file = "seg_cov.csv", cov = "z"),
  base_ring1 = list(file = "base_ring1.csv", cov = c("ring2", "ring3"))
)
seg_rows <- list()
spl_rows <- list()
gam_rows <- list()
for (nm in names(sets)) {
  s <- sets[[nm]]
  d <- read.csv(s$file)
  rhs <- paste(c("x", s$cov), collapse = " + ")
  o <- lm(as.formula(paste("y ~", rhs)), data = d)
  sg <- segmented(o, seg.Z = ~x)               # defaults: seg.control() (n.boot = 10, seed 12345)
  ps <- sg$psi
  sl <- slope(sg)$x                            # slopes with t-based CIs
  dv <- davies.test(o, seg.Z = ~x)             # default k = 10, two-sided
  ci <- confint(sg)                            # delta-method CI of psi (method = "delta")
  seg_rows[[nm]] <- data.frame(
    dataset = nm, n = nrow(d), psi = ps[1, "Est."], psi_se = ps[1, "St.Err"],
    psi_ci_low = ci[1, 2], psi_ci_high = ci[1, 3],
    slope_left = sl[1, "Est."], slope_left_se = sl[1, "St.Err."],
    slope_left_ci_low = sl[1, 4], slope_left_ci_high = sl[1, 5],
    slope_right = sl[2, "Est."], slope_right_se = sl[2, "St.Err."],
    slope_right_ci_low = sl[2, 4], slope_right_ci_high = sl[2, 5],
    davies_p = dv$p.value, davies_best = unname(dv$statistic),
    rss = sum(residuals(sg)^2), df_resid = sg$df.residual)
  # spline nonlinearity: natural cubic spline with Harrell's knots (quantile type 7) spans
  # the same space as the restricted cubic spline x + rcs terms, so the F test of
  # lm(y ~ x + cov) against lm(y ~ ns(x) + cov) is the RCS nonlinearity test.
  k <- unique(quantile(d$x, c(0.05, 0.35, 0.65, 0.95), type = 7))
  K <- length(k)
  f1 <- as.formula(paste("y ~ ns(x, knots = k[2:(K - 1)], Boundary.knots = k[c(1, K)])",
                         if (length(s$cov)) paste("+", paste(s$cov, collapse = " + ")) else ""))
  o2 <- lm(f1, data = d)
  a <- anova(o, o2)
  spl_rows[[nm]] <- data.frame(dataset = nm, n_knots = K, f = a$F[2], df1 = a$Df[2],
                               df2 = a$Res.Df[2], p_val = a$`Pr(>F)`[2])
  # the same test with mgcv: an unpenalised (fx = TRUE) cubic regression spline ("cr", a
  # natural cubic spline parametrised at its knots) with the same K knots, against the
  # linear model, by anova.gam's F test
  covs <- if (length(s$cov)) paste("+", paste(s$cov, collapse = " + ")) else ""
  g0 <- gam(as.formula(paste("y ~ x", covs)), data = d)
  g1 <- gam(as.formula(paste("y ~ s(x, bs = 'cr', k = K, fx = TRUE)", covs)), data = d,
            knots = list(x = k))
  ag <- anova(g0, g1, test = "F")
  gam_rows[[nm]] <- data.frame(dataset = nm, n_knots = K, f = ag$F[2], df1 = ag$Df[2],
                               df2 = ag$`Resid. Df`[2], p_val = ag$`Pr(>F)`[2],
                               mgcv = as.character(packageVersion("mgcv")))
}
seg <- do.call(rbind, seg_rows)
spl <- do.call(rbind, spl_rows)
write.csv(seg, "segmented_reference.csv", row.names = FALSE)
write.csv(spl, "spline_reference.csv", row.names = FALSE)
gmr <- do.call(rbind, gam_rows)
write.csv(gmr, "spline_mgcv_reference.csv", row.names = FALSE)
print(gmr, digits = 8)
print(seg, digits = 8)
print(spl, digits = 8)
