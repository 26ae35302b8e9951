package org.equiflow.compiler.parse;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean …?": the closest candidate within a small edit distance. */
public final class Suggestions {
    private Suggestions() {}

    public static Optional<String> closest(String typo, Collection<String> candidates) {
        int budget = Math.max(1, Math.min(3, typo.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates.stream().sorted().toList()) {
            if (candidate.equals(typo)) continue;
            int d = distance(typo.toLowerCase(), candidate.toLowerCase());
            if (d <= budget && d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Damerau–Levenshtein (optimal string alignment): a swapped pair of letters costs one edit. */
    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
