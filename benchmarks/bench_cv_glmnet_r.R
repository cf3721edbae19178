# cv.glmnet side of benchmarks/bench_cv_glmnet_r.py (by hand, never in CI).
# Rscript bench_cv_glmnet_r.R MODE DIR FAMILY N P THRESH REPS
#   MODE "semantics": one cv.glmnet on DIR/{X,y,foldid,lam}.bin, writes cvm, cvsd, the indices of
#                     lambda.min / lambda.1se and the full-data path's coefficients
#   MODE "timing":    one warm-up call, then REPS timed calls; prints one elapsed time per line
suppressMessages(library(glmnet))
a <- commandArgs(trailingOnly = TRUE)
mode <- a[1]; d <- a[2]; fam <- a[3]; n <- as.integer(a[4]); p <- as.integer(a[5])
thresh <- as.numeric(a[6]); reps <- as.integer(a[7])
X <- matrix(readBin(file.path(d, "X.bin"), "double", n * p), nrow = n)
y <- readBin(file.path(d, "y.bin"), "double", n)
foldid <- as.integer(readBin(file.path(d, "foldid.bin"), "double", n))
nl <- file.info(file.path(d, "lam.bin"))$size / 8
lam <- readBin(file.path(d, "lam.bin"), "double", nl)
wfile <- file.path(d, "weights.bin")
w <- if (file.exists(wfile)) readBin(wfile, "double", n) else rep(1, n)
run <- function() cv.glmnet(X, y, family = fam, foldid = foldid, lambda = lam, weights = w,
                            standardize = FALSE, thresh = thresh, maxit = 1e7)
if (mode == "semantics") {
  fit <- run()
  writeBin(as.double(fit$cvm), file.path(d, "cvm.bin"))
  writeBin(as.double(fit$cvsd), file.path(d, "cvsd.bin"))
  writeBin(as.double(c(fit$index[1], fit$index[2], fit$lambda.min, fit$lambda.1se)),
           file.path(d, "opt.bin"))
  writeBin(as.vector(as.matrix(coef(fit$glmnet.fit))), file.path(d, "coef.bin"))
} else {
  invisible(run())
  for (k in seq_len(reps)) cat(system.time(run())[["elapsed"]], "\n")
}
