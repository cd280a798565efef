package io.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnlab.Json;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.RecurrentSpec;
import io.rnnlab.train.AdamConfig;

/**
 * {@code config.json} of a {@code .keras} archive: the Sequential model a Keras user would write
 * for a {@link ModelSpec}, serialised the way Keras 3's {@code serialize_keras_object} does
 * (layer by layer, with {@code build_config}s so Keras builds every layer on load, and a {@code
 * compile_config} so {@code fit} works right after {@code load_model}). Layer names are Keras's
 * defaults, so {@code model.summary()} reads like the tutorial's.
 */
final class KerasConfigWriter {
  private static final ObjectMapper JSON = Json.MAPPER;

  private KerasConfigWriter() {}

  static ObjectNode config(ModelSpec spec, AdamConfig adam) {
    ArrayNode layers = JSON.createArrayNode();
    ArrayNode inputShape = batchShape(spec);
    layers.add(inputLayer(spec, inputShape));
    ArrayNode shape = inputShape; // what the next layer is built for
    if (spec.embeddingDim() > 0) {
      ObjectNode c = layerConfig(KerasNames.EMBEDDING);
      c.put("input_dim", spec.vocabSize());
      c.put("output_dim", spec.embeddingDim());
      c.set("embeddings_initializer", initializer("RandomUniform",
          JSON.createObjectNode().putNull("seed").put("minval", -0.05).put("maxval", 0.05)));
      c.putNull("embeddings_regularizer");
      c.putNull("activity_regularizer");
      c.putNull("embeddings_constraint");
      c.put("mask_zero", false);
      c.putNull("quantization_config");
      layers.add(layer("Embedding", c, shape));
      shape = shape(null, spec.seqLen(), spec.embeddingDim());
    }
    Dropouts dropouts = new Dropouts(layers);
    dropouts.add(spec.inputDropout());
    for (int i = 0; i < spec.layers(); i++) {
      boolean sequences = spec.lossOn() == LossOn.ALL || i < spec.layers() - 1;
      layers.add(layer(KerasNames.recurrentClass(spec.cell(i)), recurrentConfig(spec, i, sequences), shape));
      shape = sequences ? shape(null, spec.seqLen(), spec.units()) : shape(null, spec.units());
      dropouts.add(spec.dropoutAfter(i));
    }
    ObjectNode dense = layerConfig(KerasNames.DENSE);
    dense.put("units", spec.outputDim());
    dense.put("activation", spec.isCharModel() ? "softmax" : "linear");
    dense.put("use_bias", true);
    dense.set("kernel_initializer", glorot());
    dense.set("bias_initializer", initializer("Zeros", JSON.createObjectNode()));
    for (String k : new String[] {"kernel_regularizer", "bias_regularizer", "kernel_constraint",
        "bias_constraint", "quantization_config"}) {
      dense.putNull(k);
    }
    layers.add(layer("Dense", dense, shape));

    ObjectNode model = JSON.createObjectNode();
    model.put("name", "sequential");
    model.put("trainable", true);
    model.set("dtype", dtypePolicy());
    model.set("layers", layers);
    model.set("build_input_shape", inputShape);
    ObjectNode root = wrap("keras", "Sequential", model);
    root.set("build_config", JSON.createObjectNode().set("input_shape", inputShape));
    root.set("compile_config", compileConfig(spec, adam));
    return root;
  }

  /** Keras's input: ids [batch, seq] for an Embedding, else [batch, seq, features]. */
  private static ArrayNode batchShape(ModelSpec spec) {
    return spec.embeddingDim() > 0
        ? shape(null, spec.seqLen())
        : shape(null, spec.seqLen(), spec.firstLayerInputDim());
  }

  private static ObjectNode inputLayer(ModelSpec spec, ArrayNode batchShape) {
    ObjectNode c = JSON.createObjectNode();
    c.set("batch_shape", batchShape);
    c.put("dtype", spec.embeddingDim() > 0 ? "int32" : "float32");
    c.put("sparse", false);
    c.put("ragged", false);
    c.put("name", "input_layer");
    c.put("optional", false);
    return wrap("keras.layers", "InputLayer", c);
  }

  /** Keras's Dropout layers where the model has them, named in order as Keras names them: dropout, dropout_1, … */
  private static final class Dropouts {
    private final ArrayNode layers;
    private int count;

    Dropouts(ArrayNode layers) {
      this.layers = layers;
    }

    void add(double rate) {
      if (rate == 0) {
        return;
      }
      ObjectNode d = layerConfig(count == 0 ? "dropout" : "dropout_" + count);
      count++;
      d.put("rate", rate);
      d.putNull("seed");
      d.putNull("noise_shape");
      layers.add(wrap("keras.layers", "Dropout", d));
    }
  }

  /** Layer {@code i}'s config, with the keys (and their order) Keras 3.15 writes for its class. */
  private static ObjectNode recurrentConfig(ModelSpec spec, int i, boolean returnSequences) {
    CellType cell = spec.cell(i);
    RecurrentSpec r = spec.recurrent().get(i);
    ObjectNode c = layerConfig(spec.recurrentLayerName(i));
    c.put("return_sequences", returnSequences);
    c.put("return_state", false);
    c.put("go_backwards", false);
    c.put("stateful", false);
    c.put("unroll", false);
    c.put("zero_output_for_mask", false);
    c.put("units", spec.units());
    c.put("activation", "tanh");
    if (cell != CellType.SIMPLE_RNN) {
      c.put("recurrent_activation", "sigmoid");
    }
    c.put("use_bias", true);
    c.set("kernel_initializer", glorot());
    c.set("recurrent_initializer", initializer("Orthogonal",
        JSON.createObjectNode().putNull("seed").put("gain", 1.0)));
    c.set("bias_initializer", initializer("Zeros", JSON.createObjectNode()));
    if (cell == CellType.LSTM) {
      c.put("unit_forget_bias", true);
    }
    for (String k : new String[] {"kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint"}) {
      c.putNull(k);
    }
    c.put("dropout", r.dropout());
    c.put("recurrent_dropout", r.recurrentDropout());
    if (cell == CellType.GRU) {
      c.put("reset_after", true); // rnnlab's GRU: Keras's default, the (2, 3·units) bias
    }
    if (cell != CellType.SIMPLE_RNN) {
      c.putNull("seed");
    }
    return c;
  }

  private static ObjectNode compileConfig(ModelSpec spec, AdamConfig adam) {
    ObjectNode opt = JSON.createObjectNode();
    opt.put("name", "adam");
    // Keras keeps the learning rate in a float32 variable and writes back its widened value.
    opt.put("learning_rate", (double) (float) adam.learningRate());
    opt.putNull("weight_decay");
    // The run's clipping, so Keras's fit continues with it (Keras writes None for no clipping).
    if (adam.clipnorm() > 0) {
      opt.put("clipnorm", adam.clipnorm());
    } else {
      opt.putNull("clipnorm");
    }
    opt.putNull("global_clipnorm");
    opt.putNull("clipvalue");
    opt.put("use_ema", false);
    opt.put("ema_momentum", 0.99);
    opt.putNull("ema_overwrite_frequency");
    opt.putNull("loss_scale_factor");
    opt.putNull("gradient_accumulation_steps");
    opt.put("beta_1", adam.beta1());
    opt.put("beta_2", adam.beta2());
    opt.put("epsilon", adam.epsilon());
    opt.put("amsgrad", false);

    ObjectNode c = JSON.createObjectNode();
    c.set("optimizer", wrap("keras.optimizers", "Adam", opt));
    // Keras's loss on a softmax output recovers the logits and applies the same fused
    // softmax cross-entropy rnnlab trains with; targets are one-hot, as in the tutorials.
    c.put("loss", spec.isCharModel() ? "categorical_crossentropy" : "mse");
    c.putNull("loss_weights");
    if (spec.isCharModel()) {
      c.set("metrics", JSON.createArrayNode().add("accuracy"));
    } else {
      c.putNull("metrics");
    }
    c.putNull("weighted_metrics");
    c.put("run_eagerly", false);
    c.put("steps_per_execution", 1);
    c.put("jit_compile", false);
    return c;
  }

  private static ObjectNode layerConfig(String name) {
    ObjectNode c = JSON.createObjectNode();
    c.put("name", name);
    c.put("trainable", true);
    c.set("dtype", dtypePolicy());
    return c;
  }

  private static ObjectNode layer(String className, ObjectNode config, ArrayNode builtFor) {
    ObjectNode l = wrap("keras.layers", className, config);
    l.set("build_config", JSON.createObjectNode().set("input_shape", builtFor));
    return l;
  }

  private static ObjectNode wrap(String module, String className, JsonNode config) {
    ObjectNode o = JSON.createObjectNode();
    o.put("module", module);
    o.put("class_name", className);
    o.set("config", config);
    o.putNull("registered_name");
    return o;
  }

  private static ObjectNode dtypePolicy() {
    return wrap("keras", "DTypePolicy", JSON.createObjectNode().put("name", "float32"));
  }

  private static ObjectNode glorot() {
    return initializer("GlorotUniform",
        JSON.createObjectNode().putNull("seed").putNull("input_axes").putNull("output_axes"));
  }

  private static ObjectNode initializer(String className, ObjectNode config) {
    return wrap("keras.initializers", className, config);
  }

  private static ArrayNode shape(Integer... dims) {
    ArrayNode a = JSON.createArrayNode();
    for (Integer d : dims) {
      if (d == null) {
        a.addNull();
      } else {
        a.add(d);
      }
    }
    return a;
  }
}
