# lavaan's WLSMV stage 1 (thresholds, polychorics, NACOV) timed on the data written by
# bench_wls_stats.py: Rscript benchmarks/bench_wls_stats.R <csv> <out.csv> <factors>
# Times cfa(..., ordered = all, estimator = "WLSMV", do.fit = FALSE) (stage 1 only) and the
# full fit, best of 2, and stores wls.obs and gamma for the comparison.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
it <- names(d)
nf <- as.integer(args[3])
blocks <- split(it, ceiling(seq_along(it) / (length(it) / nf)))  # consecutive blocks
m <- paste(sprintf("F%d =~ %s", seq_len(nf), vapply(blocks, paste, "", collapse = " + ")),
           collapse = "\n")
t_stats <- t_fit <- Inf
for (rep in 1:2) {
  t_stats <- min(t_stats, system.time(
    f0 <- cfa(m, d, ordered = it, estimator = "WLSMV", do.fit = FALSE))[["elapsed"]])
  t_fit <- min(t_fit, system.time(
    f1 <- cfa(m, d, ordered = it, estimator = "WLSMV"))[["elapsed"]])
}
fm <- fitMeasures(f1, c("chisq", "chisq.scaled", "cfi.scaled", "rmsea.scaled"))
write.csv(data.frame(stats_s = t_stats, fit_s = t_fit, lavaan = as.character(packageVersion("lavaan")),
                     chisq = fm[["chisq"]], chisq_scaled = fm[["chisq.scaled"]],
                     cfi_scaled = fm[["cfi.scaled"]], rmsea_scaled = fm[["rmsea.scaled"]]),
          args[2], row.names = FALSE)
pe <- parameterEstimates(f1)
writeBin(as.numeric(pe$est[pe$op == "=~"]), sub("\\.csv$", "_lambda.bin", args[2]))
writeBin(as.numeric(lavInspect(f0, "wls.obs")), sub("\\.csv$", "_s.bin", args[2]))
writeBin(as.numeric(lavInspect(f0, "gamma")), sub("\\.csv$", "_gamma.bin", args[2]))
