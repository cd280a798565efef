package io.rnnlab.train;

/** Mean loss and accuracy over the rows of one batch (accuracy is NaN for regression). */
public record StepMetrics(double loss, double accuracy, int rows) {}
