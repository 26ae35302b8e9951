package org.equiflow.compiler.diag;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of one .flow module and where it came from. {@code displayName} is what diagnostics
 * print: the path as the user gave it, or {@code std/nets.flow} for the standard library.
 */
public record SourceFile(String displayName, String text, List<Integer> lineStarts) {

    public static SourceFile of(String displayName, String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') starts.add(i + 1);
        }
        return new SourceFile(displayName, text, List.copyOf(starts));
    }

    /** 1-based line of a character offset. */
    public int lineOf(int offset) {
        int lo = 0, hi = lineStarts.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts.get(mid) <= offset) lo = mid; else hi = mid - 1;
        }
        return lo + 1;
    }

    /** 1-based column of a character offset, tabs counted as one column. */
    public int columnOf(int offset) {
        return offset - lineStarts.get(lineOf(offset) - 1) + 1;
    }

    /** The text of a 1-based line without its line terminator. */
    public String lineText(int line) {
        if (line < 1 || line > lineStarts.size()) return "";
        int start = lineStarts.get(line - 1);
        int end = line < lineStarts.size() ? lineStarts.get(line) - 1 : text.length();
        if (end > start && text.charAt(end - 1) == '\r') end--;
        return text.substring(start, Math.max(start, end));
    }

    public int lineCount() { return lineStarts.size(); }
}
