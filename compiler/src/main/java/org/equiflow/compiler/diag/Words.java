package org.equiflow.compiler.diag;

/** Small helpers for writing messages in English. */
public final class Words {
    private Words() {}

    /** "an integer", "a net", "an U(1) field" is avoided by looking at the first letter only. */
    public static String article(Object noun) {
        String s = String.valueOf(noun);
        if (s.isEmpty()) return s;
        char c = Character.toLowerCase(s.charAt(0));
        return ("aeio".indexOf(c) >= 0 ? "an " : "a ") + s;
    }
}
