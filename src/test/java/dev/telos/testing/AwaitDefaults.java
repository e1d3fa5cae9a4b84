package dev.telos.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Generous Awaitility ceilings for every test: machines are shared and noisy, and a condition that
 * holds eventually must not fail because a neighbour was busy. Registered through {@code
 * META-INF/services}.
 */
public final class AwaitDefaults implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    Awaitility.setDefaultTimeout(Duration.ofSeconds(60));
    Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
  }
}
