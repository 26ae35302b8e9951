/**
 * Files a physicist keeps and passes on: NumPy arrays ({@link org.equiflow.io.Npy}), ensembles with JSON sidecars
 * ({@link org.equiflow.io.Ensembles}, {@link org.equiflow.io.EnsembleMetadata}), self-checking checkpoints of trained
 * models ({@link org.equiflow.io.Checkpoint}) and run reports with plots ({@link org.equiflow.io.RunReport},
 * {@link org.equiflow.io.ReportFigures}) and one self-contained page ({@link org.equiflow.io.HtmlReport}).
 *
 * <p>Every file is written to a temporary file in the target directory, forced to disk and renamed over the target,
 * so an interrupted run leaves the previous version in place, never a half-written one.
 */
package org.equiflow.io;
