/**
 * Survival probabilities scored the way the broker uses them (Brier score, log loss, AUC,
 * reliability table, realised survival at the placement bar) and their calibration.
 */
package io.shatter.predictor.survival;
