package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which operator input names the running revision (for a prune approval). */
class RevisionNamesTest {
  static final String A = "a".repeat(40);
  static final String B = "b".repeat(40);

  @Test
  void aShaPrefixNamesASingleRepositorysRevision() {
    assertThat(Controller.names(A, "aaaaaaa")).isTrue();
    assertThat(Controller.names(A, A)).isTrue();
    assertThat(Controller.names(A, "bbbbbbb")).isFalse();
  }

  @Test
  void anyPartOrItsShaNamesAComposedRevision() {
    String composed = "payments@" + A + ",search@" + B;
    assertThat(Controller.names(composed, "payments@aaaa")).isTrue();
    assertThat(Controller.names(composed, "search@bbbbbbb")).isTrue();
    assertThat(Controller.names(composed, "bbbbbbb")).isTrue();
    assertThat(Controller.names(composed, "aaaaaaa")).isTrue();
    assertThat(Controller.names(composed, composed)).isTrue();
    assertThat(Controller.names(composed, "search@aaaaaaa")).isFalse();
    assertThat(Controller.names(composed, "ccccccc")).isFalse();
  }
}
