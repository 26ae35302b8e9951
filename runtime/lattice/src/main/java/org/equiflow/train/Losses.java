package org.equiflow.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The losses the runtime trains with, by the name a script's {@code loss} setting gives: the one
 * place a new loss is registered. The compiler's {@code RuntimeSupport.CHOICES.get("loss")} lists
 * the same names (a test compares them), so {@code check} refuses exactly what this cannot run.
 */
public final class Losses {
    /** What a {@code train} block without a {@code loss} setting trains with. */
    public static final String DEFAULT = "reverse_kl";

    private static final Map<String, Loss> BY_NAME = register(new ReverseKl(), new PathGradient(), new Reinforce());

    private Losses() {}

    private static Map<String, Loss> register(Loss... losses) {
        Map<String, Loss> byName = new LinkedHashMap<>();
        for (Loss loss : losses) byName.put(loss.name(), loss);
        return byName;
    }

    /** The registered names, in registration order. */
    public static List<String> names() { return List.copyOf(BY_NAME.keySet()); }

    /** The loss called {@code name}; the checker refuses other names before a run gets here. */
    public static Loss named(String name) {
        Loss loss = BY_NAME.get(name);
        if (loss == null) throw new IllegalArgumentException("no loss `" + name + "`; the runtime trains with " + String.join(", ", names()));
        return loss;
    }
}
