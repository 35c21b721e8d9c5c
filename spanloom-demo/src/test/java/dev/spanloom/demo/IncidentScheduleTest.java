package dev.spanloom.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IncidentScheduleTest {
  @Test
  void defaultIncidentIsTheLastMinuteOfEveryFive() {
    IncidentSchedule s = IncidentSchedule.DEFAULT;
    assertThat(s.activeAt(Duration.ZERO)).isFalse();
    assertThat(s.activeAt(Duration.ofSeconds(239))).isFalse();
    assertThat(s.activeAt(Duration.ofSeconds(240))).isTrue();
    assertThat(s.activeAt(Duration.ofSeconds(299))).isTrue();
    assertThat(s.activeAt(Duration.ofSeconds(300))).isFalse();
    assertThat(s.activeAt(Duration.ofSeconds(545))).isTrue();
  }

  @Test
  void neverAndAlwaysSayWhatTheyDo() {
    assertThat(IncidentSchedule.NEVER.activeAt(Duration.ofSeconds(59))).isFalse();
    assertThat(IncidentSchedule.ALWAYS.activeAt(Duration.ofSeconds(0))).isTrue();
    assertThat(IncidentSchedule.DEFAULT).hasToString("every PT5M for PT1M");
  }

  @Test
  void refusesAnIncidentLongerThanItsPeriod() {
    assertThatThrownBy(() -> new IncidentSchedule(Duration.ofMinutes(1), Duration.ofMinutes(2)))
        .hasMessage("length: PT2M (expected: 0..PT1M)");
  }
}
