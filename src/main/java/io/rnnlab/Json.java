package io.rnnlab;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * rnnlab's JSON readers and writers, one per kind of file; configured once, shared (Jackson's
 * mappers are thread-safe once configured, and must not be reconfigured after).
 */
public final class Json {
  private Json() {}

  /**
   * Plain JSON, written indented: the .keras config and metadata, reference_io.json, the
   * {@code --json} output of inspect and predict, and Keras configs read as trees.
   */
  public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Records as snake_case JSON, written indented ({@code train.json}). A field the file lacks takes
   * its Java default, so files written before a field existed still read.
   */
  public static final ObjectMapper RECORDS = records();

  /** {@link #RECORDS} for {@code spec.json}: a missing or null number is an error, never 0. */
  public static final ObjectMapper SPEC = records().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /**
   * {@link #RECORDS} for checkpoint manifests: every field must be present and not null (a damaged
   * key must not quietly become 0 and resume from the wrong place); keys it does not know are
   * ignored.
   */
  public static final ObjectMapper MANIFEST = records()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);

  /** JSON a user hands in (vocabularies): a duplicate key or anything after the value is an error. */
  public static final JsonMapper STRICT_INPUT = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static ObjectMapper records() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }
}
