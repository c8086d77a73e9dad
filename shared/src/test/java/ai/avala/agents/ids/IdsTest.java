package ai.avala.agents.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void agentUid_shouldSortInCreationOrderEvenWithinOneMillisecond() {
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            uids.add(Ids.agentUid());
        }

        assertThat(uids).isSorted().doesNotHaveDuplicates();
        assertThat(uids.get(0)).matches("agent_[0-9A-HJKMNP-TV-Z]{26}");
    }

    @Test
    void executionUid_shouldEncodeTheCreationTimeInItsFirstTenCharacters() {
        long before = System.currentTimeMillis();
        String uid = Ids.executionUid();
        long after = System.currentTimeMillis();

        long encoded = 0;
        for (char c : uid.substring("exec_".length(), "exec_".length() + 10).toCharArray()) {
            encoded = encoded * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".indexOf(c);
        }
        assertThat(encoded).isBetween(before, after);
    }
}
