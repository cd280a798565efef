package io.rnnlab.generate;

import io.rnnlab.data.Vocabulary;
import java.util.ArrayList;
import java.util.List;

/**
 * A CharModel without TensorFlow whose prediction is known: after id {@code x} it puts 0.7 on
 * {@code (x + 1) mod V} and spreads the rest evenly. The state is just the last id, so stateful
 * and window predictions agree. Records every call.
 */
final class ScriptedModel implements CharModel {
  final Vocabulary vocab;
  final int seqLen;
  final boolean hasStep;
  final List<int[][]> windowCalls = new ArrayList<>();
  final List<int[]> stepCalls = new ArrayList<>();
  boolean closed;

  ScriptedModel(Vocabulary vocab, int seqLen, boolean hasStep) {
    this.vocab = vocab;
    this.seqLen = seqLen;
    this.hasStep = hasStep;
  }

  static float[] after(int last, int v) {
    float[] p = new float[v];
    java.util.Arrays.fill(p, 0.3f / (v - 1));
    p[(last + 1) % v] = 0.7f;
    return p;
  }

  @Override
  public Vocabulary vocabulary() {
    return vocab;
  }

  @Override
  public int seqLen() {
    return seqLen;
  }

  @Override
  public float[][] predictWindow(int[][] windows) {
    int[][] copy = new int[windows.length][];
    for (int r = 0; r < windows.length; r++) {
      copy[r] = windows[r].clone();
    }
    windowCalls.add(copy);
    float[][] p = new float[windows.length][];
    for (int r = 0; r < windows.length; r++) {
      p[r] = after(windows[r][windows[r].length - 1], vocab.size());
    }
    return p;
  }

  @Override
  public boolean hasStep() {
    return hasStep;
  }

  @Override
  public int stateSize() {
    return hasStep ? 1 : 0;
  }

  @Override
  public float[][] step(int[] ids, float[][] state) {
    stepCalls.add(ids.clone());
    float[][] p = new float[ids.length][];
    for (int r = 0; r < ids.length; r++) {
      state[r][0] = ids[r];
      p[r] = after(ids[r], vocab.size());
    }
    return p;
  }

  @Override
  public String describe() {
    return "scripted model";
  }

  @Override
  public void close() {
    closed = true;
  }
}
