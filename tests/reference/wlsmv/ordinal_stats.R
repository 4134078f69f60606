# Reference values for ringstats' ordinal sample statistics (WLSMV stage 1) and DWLS.
#
# Writes, beside this script, lavaan's thresholds, polychoric correlations, wls.obs,
# gamma (NACOV) and the diagonal of wls.v for `cfa(..., ordered = TRUE, estimator = "WLSMV")`
# on three data sets (see README.md for the file names and layouts):
#   bfi         psych::bfi, the 25 items, rows complete on them (n = 2436), 6 categories,
#               five-factor model (A, C, E, N, O);
#   bfi_gender  the same rows and model, two groups by gender (1 = male, 2 = female);
#   small       the first 300 of those rows, 6 items recoded to 2 or 3 categories,
#               one-factor model;
#   zero        150 simulated rows, 5 items with 2 or 3 categories and empty cells in
#               2 x 2 and 3 x 3 tables (lavaan's zero.add = c(0.5, 0)), one-factor model.
# It also writes the data used (so that Python reads the SAME rows) and, for the DWLS
# stage, lavaan's parameter estimates and fit measures.
#
# Run from this folder:  Rscript ordinal_stats.R      (lavaan 0.6, psych)
suppressPackageStartupMessages({
  library(lavaan)
  library(psych)
  library(jsonlite)
})
cat("lavaan", as.character(packageVersion("lavaan")), "\n")

items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5),
           paste0("O", 1:5))
ok <- complete.cases(psych::bfi[, items])
bfi25 <- psych::bfi[ok, c(items, "gender")]
bfi25 <- data.frame(row = which(ok), bfi25)   # 1-based row of psych::bfi
write.csv(bfi25, "bfi25_data.csv", row.names = FALSE)

# small: 3-category and dichotomous items from the first 300 complete rows
sm <- bfi25[1:300, ]
small <- data.frame(
  row = sm$row,
  y1 = as.integer(sm$A1 >= 4),                      # dichotomous
  y2 = as.integer(sm$A2 >= 5),                      # dichotomous, skewed
  y3 = cut(sm$A3, c(0, 2, 4, 6), labels = FALSE),   # 3 categories
  y4 = cut(sm$A4, c(0, 3, 5, 6), labels = FALSE),   # 3 categories
  y5 = cut(sm$A5, c(0, 2, 4, 6), labels = FALSE),   # 3 categories
  y6 = as.integer(sm$C1 >= 4) + as.integer(sm$C1 >= 6)  # 3 categories (0, 1, 2)
)
write.csv(small, "small_data.csv", row.names = FALSE)

# zero: simulated, with empty cells -- w1 x w2 (2 x 2, empty off-diagonal cell),
# w1 x w5 (2 x 2, empty diagonal cell): lavaan adds 0.5 keeping the margins;
# w3 x w4 (3 x 3) and w1 x w3, ... (2 x 3): no correction
set.seed(15)
zz <- MASS::mvrnorm(150, rep(0, 4), matrix(0.6, 4, 4) + diag(0.4, 4))
zero <- data.frame(
  w1 = as.integer(zz[, 1] > 1.2),
  w2 = as.integer(zz[, 2] > 0),
  w3 = cut(zz[, 3], c(-Inf, -1.5, 0.8, Inf), labels = FALSE),
  w4 = cut(zz[, 4], c(-Inf, -0.8, 1.5, Inf), labels = FALSE),
  w5 = as.integer(zz[, 1] < -1.3)
)
zero$w2[zero$w1 == 1] <- 1L
write.csv(zero, "zero_data.csv", row.names = FALSE)

model5 <- "
A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5
"
model1 <- "F =~ y1 + y2 + y3 + y4 + y5 + y6"
model0 <- "F =~ w1 + w2 + w3 + w4 + w5"

num <- function(x) formatC(x, digits = 15, format = "g")
num12 <- function(x) formatC(x, digits = 12, format = "g")

stat_names <- function(ov, th) {
  p <- length(ov)
  pairs <- which(lower.tri(diag(p)), arr.ind = TRUE)      # column-wise, as vech
  pairs <- pairs[order(pairs[, "col"], pairs[, "row"]), , drop = FALSE]
  c(names(th), paste0(ov[pairs[, "col"]], "~~", ov[pairs[, "row"]]))
}

write_vec <- function(v, nm, file) {
  write.csv(data.frame(name = nm, value = num(v)), file, row.names = FALSE, quote = FALSE)
}

write_mat <- function(m, nm, file) {   # gzipped CSV, first column the row names
  df <- data.frame(name = nm, apply(m, 2, num12), check.names = FALSE)
  names(df) <- c("name", nm)
  con <- gzfile(file, "w")
  write.csv(df, con, row.names = FALSE, quote = FALSE)
  close(con)
}

export <- function(fit, tag) {
  ng <- lavInspect(fit, "ngroups")
  glab <- if (ng > 1) lavInspect(fit, "group.label") else ""
  ss <- lavInspect(fit, "sampstat")
  wo <- lavInspect(fit, "wls.obs")
  wv <- lavInspect(fit, "wls.v")
  ga <- lavInspect(fit, "gamma")
  nobs <- lavInspect(fit, "nobs")
  if (ng == 1) { ss <- list(ss); wo <- list(wo); wv <- list(wv); ga <- list(ga) }
  meta <- list()
  for (g in seq_len(ng)) {
    suf <- if (ng > 1) paste0(tag, "_g", glab[g]) else tag
    th <- ss[[g]]$th
    R <- ss[[g]]$cov
    ov <- rownames(R)
    nm <- stat_names(ov, th)
    stopifnot(length(nm) == length(wo[[g]]))
    write_vec(th, names(th), paste0(suf, "_thresholds.csv"))
    write.csv(data.frame(name = ov, apply(unclass(R), 2, num), check.names = FALSE),
              paste0(suf, "_polychoric.csv"), row.names = FALSE, quote = FALSE)
    write_vec(as.numeric(wo[[g]]), nm, paste0(suf, "_wls_obs.csv"))
    write_vec(diag(wv[[g]]), nm, paste0(suf, "_wls_v_diag.csv"))
    write_mat(unclass(ga[[g]]), nm, paste0(suf, "_gamma.csv.gz"))
    meta[[length(meta) + 1]] <- list(file_prefix = suf, group = glab[g],
                                     n = nobs[g], items = ov, n_stats = length(nm),
                                     wls_v_offdiag_max = max(abs(wv[[g]] - diag(diag(wv[[g]])))))
  }
  pe <- parameterEstimates(fit, remove.nonfree = FALSE)
  write.csv(pe, paste0(tag, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = num(as.numeric(fm))),
            paste0(tag, "_fit.csv"), row.names = FALSE, quote = FALSE)
  meta
}

timing <- list()
meta <- list()

t0 <- system.time(fit_bfi <- cfa(model5, data = bfi25, ordered = items, estimator = "WLSMV"))
timing$bfi_cfa_wlsmv_s <- t0[["elapsed"]]
t1 <- system.time(cfa(model5, data = bfi25, ordered = items, estimator = "WLSMV", do.fit = FALSE))
timing$bfi_stats_only_s <- t1[["elapsed"]]
meta$bfi <- export(fit_bfi, "bfi")

fit_g <- cfa(model5, data = bfi25, ordered = items, estimator = "WLSMV", group = "gender")
meta$bfi_gender <- export(fit_g, "bfi_gender")

fit_s <- cfa(model1, data = small, ordered = paste0("y", 1:6), estimator = "WLSMV")
meta$small <- export(fit_s, "small")

fit_z <- cfa(model0, data = zero, ordered = paste0("w", 1:5), estimator = "WLSMV")
meta$zero <- export(fit_z, "zero")
zt <- lavInspect(fit_z, "zero.cell.tables")
meta$zero_cell_tables <- names(zt)

info <- list(lavaan = as.character(packageVersion("lavaan")),
             R = R.version.string, call = "cfa(model, data, ordered = items, estimator = 'WLSMV')",
             datasets = meta, timing_seconds = timing)
write_json(info, "meta.json", auto_unbox = TRUE, pretty = TRUE, digits = NA)
print(timing)
