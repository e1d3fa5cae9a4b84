package dev.telos.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;

class ContentTypeTest {

  @Test
  void jsonUsesMesosSnakeCaseFieldNames() {
    Call call =
        Call.newBuilder()
            .setType(Call.Type.SUBSCRIBE)
            .setFrameworkId(FrameworkID.newBuilder().setValue("fw"))
            .setSubscribe(
                Call.Subscribe.newBuilder()
                    .setFrameworkInfo(
                        FrameworkInfo.newBuilder()
                            .setUser("root")
                            .setName("telos")
                            .setFailoverTimeout(604800)))
            .build();
    String json = new String(ContentType.JSON.encode(call), StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"framework_id\":{\"value\":\"fw\"}")
        .contains("\"framework_info\"")
        .contains("\"failover_timeout\":604800")
        .contains("\"type\":\"SUBSCRIBE\"")
        .doesNotContain("frameworkId")
        .doesNotContain("failoverTimeout");
  }

  @Test
  void jsonEventsDecodeWithSnakeCaseAndBase64Bytes() throws Exception {
    String uuid = "MDEyMzQ1Njc4OWFiY2RlZg=="; // Base64 of "0123456789abcdef"
    String json =
        "{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"t\"},"
            + "\"state\":\"TASK_RUNNING\",\"uuid\":\""
            + uuid
            + "\",\"some_future_field\":1}}}";
    Event event = ContentType.JSON.decodeEvent(json.getBytes(StandardCharsets.UTF_8));
    TaskStatus status = event.getUpdate().getStatus();
    assertThat(status.getTaskId()).isEqualTo(TaskID.newBuilder().setValue("t").build());
    assertThat(status.getState()).isEqualTo(TaskState.TASK_RUNNING);
    assertThat(status.getUuid())
        .isEqualTo(ByteString.copyFrom("0123456789abcdef", StandardCharsets.US_ASCII));
  }

  @Test
  void protobufRoundTrips() throws Exception {
    Event event =
        Event.newBuilder()
            .setType(Event.Type.SUBSCRIBED)
            .setSubscribed(
                Event.Subscribed.newBuilder()
                    .setFrameworkId(FrameworkID.newBuilder().setValue("fw"))
                    .setHeartbeatIntervalSeconds(15))
            .build();
    assertThat(ContentType.PROTOBUF.decodeEvent(event.toByteArray())).isEqualTo(event);
  }
}
