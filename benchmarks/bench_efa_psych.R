# Time psych::fa on bfi (25 items, 5 factors, minres, oblimin) for benchmarks/bench_efa.py.
# Run from the repository root:  Rscript benchmarks/bench_efa_psych.R
# Writes benchmarks/results/psych_fa_bfi_time.csv (median seconds per call over 50 calls,
# from the raw data with pairwise correlations and from the correlation matrix).
suppressPackageStartupMessages({library(psych); library(GPArotation)})
bfi <- read.csv("tests/reference/measurement/bfi.csv")[, 1:25]
r <- cor(bfi, use = "pairwise")
reps <- 50
time_one <- function(f) {
  f()  # warm-up
  s <- numeric(reps)
  for (i in seq_len(reps)) s[i] <- system.time(f())[["elapsed"]]
  median(s)
}
t_data <- time_one(function() fa(bfi, nfactors = 5, fm = "minres", rotate = "oblimin"))
t_corr <- time_one(function() fa(r, n.obs = 2800, nfactors = 5, fm = "minres", rotate = "oblimin"))
load <- tryCatch(as.numeric(strsplit(readLines("/proc/loadavg"), " ")[[1]][1]), error = function(e) NA)
out <- data.frame(task = c("data", "corr"), seconds = c(t_data, t_corr),
                  r = R.version.string, psych = as.character(packageVersion("psych")),
                  gparotation = as.character(packageVersion("GPArotation")), load1 = load,
                  when = format(Sys.time(), "%Y-%m-%d %H:%M UTC", tz = "UTC"))
dir.create("benchmarks/results", showWarnings = FALSE)
write.csv(out, "benchmarks/results/psych_fa_bfi_time.csv", row.names = FALSE)
print(out)
