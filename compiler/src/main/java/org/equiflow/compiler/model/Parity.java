package org.equiflow.compiler.model;

/** Behaviour under φ → −φ of an elementwise function: f(−x) = −f(x), f(−x) = f(x), or neither. */
public enum Parity { ODD, EVEN, NONE }
