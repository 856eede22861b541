/**
 * Survival probabilities scored the way the broker uses them (Brier score, log loss, AUC,
 * reliability table, realised survival at the placement bar) and their calibration: the map chosen
 * on the validation period, and the stacked recalibration the broker's model forecaster answers
 * through during a run ({@link io.shatter.predictor.survival.StackedRecalibration}).
 */
package io.shatter.predictor.survival;
