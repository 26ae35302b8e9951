package org.equiflow.stats;

/**
 * Counts of values in equal-width bins over [min, max], for reports. Bin b covers
 * [min + b·width, min + (b+1)·width); the value max itself is counted in the last bin so that a
 * range taken from the data's own extremes loses nothing. Values outside [min, max] are counted
 * in {@code below} and {@code above}, never dropped silently.
 *
 * @param min lower edge
 * @param max upper edge, greater than min
 * @param counts one count per bin
 * @param below values &lt; min
 * @param above values &gt; max
 */
public record Histogram(double min, double max, long[] counts, long below, long above) {
  public Histogram {
    counts = counts.clone();
  }

  /**
   * @throws IllegalArgumentException for a non-finite value, bins &lt; 1, or a range that is not
   *     finite with min &lt; max
   */
  public static Histogram of(double[] values, int bins, double min, double max) {
    Checks.requireFinite(values, "values");
    if (bins < 1) {
      throw new IllegalArgumentException("need at least 1 bin, got " + bins);
    }
    if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
      throw new IllegalArgumentException("need finite min < max, got [" + min + ", " + max + "]");
    }
    long[] counts = new long[bins];
    long below = 0;
    long above = 0;
    double width = (max - min) / bins;
    for (double v : values) {
      if (v < min) {
        below++;
      } else if (v > max) {
        above++;
      } else {
        counts[Math.min(bins - 1, (int) ((v - min) / width))]++;
      }
    }
    return new Histogram(min, max, counts, below, above);
  }

  @Override
  public long[] counts() {
    return counts.clone();
  }

  // Records compare arrays by reference; histograms are equal when their counts are.
  @Override
  public boolean equals(Object other) {
    return other instanceof Histogram h
        && Double.compare(min, h.min) == 0
        && Double.compare(max, h.max) == 0
        && below == h.below
        && above == h.above
        && java.util.Arrays.equals(counts, h.counts);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(min, max, below, above, java.util.Arrays.hashCode(counts));
  }

  @Override
  public String toString() {
    return "Histogram[min=%s, max=%s, counts=%s, below=%d, above=%d]"
        .formatted(min, max, java.util.Arrays.toString(counts), below, above);
  }

  public double binWidth() {
    return (max - min) / counts.length;
  }

  public double binCenter(int bin) {
    return min + (bin + 0.5) * binWidth();
  }

  public long total() {
    long total = below + above;
    for (long c : counts) {
      total += c;
    }
    return total;
  }
}
