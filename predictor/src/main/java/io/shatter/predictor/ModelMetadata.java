package io.shatter.predictor;

/**
 * Everything about a trained model except its weights: enough to rebuild its inputs and outputs.
 *
 * @param featureSet       which inputs it uses
 * @param stepSeconds      the series step it was trained at
 * @param horizonMinutes   forecast horizons, in minutes, in output order
 * @param featureMean      per-input mean over the training period (inputs are standardised)
 * @param featureStd       per-input standard deviation over the training period
 * @param targetScale      per-horizon scale of the idle-fraction change (outputs are multiplied by it; includes the
 *                         shrinkage towards persistence chosen on validation)
 * @param validationMae    per-horizon model MAE on the validation period, as a fraction of the partition's cores
 * @param hiddenSizes      hidden layer widths
 * @param trainedOn        the trace's name, for humans
 * @param trainingCores    the trained-on partition's cores, for humans
 * @param target           what it forecasts at each horizon
 * @param calibration      the map from its raw survival odds to calibrated ones, chosen on validation
 * @param trainingTrace    the trace file it was trained on, when trained from a file
 */
public record ModelMetadata(FeatureSet featureSet, int stepSeconds, int[] horizonMinutes, float[] featureMean,
                            float[] featureStd, float[] targetScale, float[] validationMae, int[] hiddenSizes,
                            String trainedOn, int trainingCores, ForecastTarget target,
                            io.shatter.predictor.survival.Calibration calibration, java.util.Optional<TraceIdentity> trainingTrace) {

    /** A copy with another calibration. */
    public ModelMetadata withCalibration(io.shatter.predictor.survival.Calibration value) {
        return new ModelMetadata(featureSet, stepSeconds, horizonMinutes, featureMean, featureStd, targetScale, validationMae,
                hiddenSizes, trainedOn, trainingCores, target, value, trainingTrace);
    }

    /** A copy that records the trace file it was trained on. */
    public ModelMetadata withTrainingTrace(TraceIdentity value) {
        return new ModelMetadata(featureSet, stepSeconds, horizonMinutes, featureMean, featureStd, targetScale, validationMae,
                hiddenSizes, trainedOn, trainingCores, target, calibration, java.util.Optional.of(value));
    }

    /** Horizons in steps. */
    public int[] horizonSteps() {
        int[] steps = new int[horizonMinutes.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = horizonMinutes[i] * 60 / stepSeconds;
        }
        return steps;
    }
}
