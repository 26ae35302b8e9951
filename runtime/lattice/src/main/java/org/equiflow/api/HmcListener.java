package org.equiflow.api;

import org.equiflow.sample.Hmc;

/** What HMC reports while it runs. Every method does nothing unless overridden. */
public interface HmcListener {
    /** The chains are about to run {@code thermalize + trajectories} trajectories each. */
    default void started(Start start) {}

    /** One more trajectory of every chain is done. */
    default void trajectory() {}

    /** The trajectories are over, however they ended; called once after {@link #started}. */
    default void ended() {}

    record Start(String theory, String lattice, int chains, long thermalize, long trajectories, double stepSize, int mdSteps,
                 Hmc.Integrator integrator) {}
}
