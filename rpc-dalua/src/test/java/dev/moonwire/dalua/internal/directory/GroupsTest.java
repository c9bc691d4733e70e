package dev.moonwire.dalua.internal.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessId;
import org.junit.jupiter.api.Test;

/** A directory's groups are bounded whatever its callers send: typed refusals past the bound. */
class GroupsTest {
  private final Groups groups = new Groups();

  private static ProcessId member(int i) {
    return ProcessId.of("10.1." + (i >> 8) + "." + (i & 255), 7000);
  }

  @Test
  void join_pastTheMembersBound_failsTyped_andAMemberThatLeftMakesRoom() {
    groups.create("g");
    for (int i = 0; i < Groups.MAX_MEMBERS; i++) {
      groups.join("g", member(i));
    }

    GroupException e = assertThrows(GroupException.class,
        () -> groups.join("g", member(Groups.MAX_MEMBERS)));
    assertTrue(e.getMessage().contains("members"), e.getMessage());
    groups.drop(member(0));
    groups.join("g", member(Groups.MAX_MEMBERS));
    assertEquals(Groups.MAX_MEMBERS, groups.everyMember().size());
  }

  @Test
  void create_pastTheGroupsBound_failsTyped() {
    for (int i = 0; i < Groups.MAX_GROUPS; i++) {
      groups.create("g" + i);
    }

    assertThrows(GroupException.class, () -> groups.create("one more"));
    groups.destroy("g0");
    groups.create("one more");
  }

  @Test
  void join_pastTheMembershipsBound_failsTyped() {
    int perGroup = Groups.MAX_MEMBERSHIPS / Groups.MAX_MEMBERS + 1;
    for (int g = 0; g < perGroup; g++) {
      groups.create("g" + g);
    }
    int joined = 0;
    GroupException refused = null;
    for (int g = 0; g < perGroup && refused == null; g++) {
      for (int i = 0; i < Groups.MAX_MEMBERS; i++) {
        try {
          groups.join("g" + g, member(i));
          joined++;
        } catch (GroupException e) {
          refused = e;
          break;
        }
      }
    }

    assertEquals(Groups.MAX_MEMBERSHIPS, joined);
    assertTrue(refused != null && refused.getMessage().contains("all apps together"));
  }
}
