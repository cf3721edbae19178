# Worker of benchmarks/bench_glmnet_r.py: one process = one warm-up fit + `reps` timed fits of
# glmnet at its defaults (own 100-lambda grid, thresh = 1e-7), standardize = FALSE.
# Args: DIR n p family reps [lambda_file n_lambda]. Reads DIR/X.bin (column-major doubles), DIR/y.bin; writes
# DIR/r_lambda.bin, DIR/r_coef.bin ((p + 1) x nlambda, column-major) and prints the times (s).
suppressMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
d <- args[1]; n <- as.integer(args[2]); p <- as.integer(args[3]); fam <- args[4]
reps <- as.integer(args[5])
X <- matrix(readBin(file.path(d, "X.bin"), "double", n * p), nrow = n)
y <- readBin(file.path(d, "y.bin"), "double", n)
# optional 6th argument: a file of lambdas (a prefix of glmnet's own grid) instead of the default
lam <- if (length(args) >= 6) readBin(args[6], "double", as.integer(args[7])) else NULL
fit <- glmnet(X, y, family = fam, standardize = FALSE, lambda = lam)  # warm-up
times <- numeric(reps)
for (k in seq_len(reps)) {
  times[k] <- system.time(fit <- glmnet(X, y, family = fam, standardize = FALSE,
                                        lambda = lam))[["elapsed"]]
}
writeBin(as.vector(fit$lambda), file.path(d, "r_lambda.bin"))
writeBin(as.vector(as.matrix(coef(fit))), file.path(d, "r_coef.bin"))
cat(length(fit$lambda), times, "\n")
