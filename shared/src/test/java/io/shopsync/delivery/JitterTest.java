package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

/**
 * Lambda SnapStart resumes many execution environments from one snapshot: a random generator seeded before the
 * snapshot draws the same sequence in every copy, so every copy would back off for the same time and retry a
 * recovering target together. Two generators in the same state stand for two restored copies here.
 */
class JitterTest {

    private static double[] draws(Jitter jitter) {
        return DoubleStream.generate(jitter::getAsDouble).limit(8).toArray();
    }

    @Test
    void twoCopiesOfOneSnapshot_drawTheSameSequence_untilEachIsReseeded() {
        Jitter first = new Jitter(42L);
        Jitter second = new Jitter(42L);
        assertThat(draws(first)).containsExactly(draws(second));

        first.reseed();
        second.reseed();

        assertThat(draws(first)).isNotEqualTo(draws(second));
    }

    @Test
    void drawsStayInTheUnitInterval_andBetweenStaysInItsBounds() {
        Jitter jitter = new Jitter(7L);
        assertThat(DoubleStream.of(draws(jitter)).boxed().toList()).allSatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(0.0).isLessThan(1.0));
        for (int i = 0; i < 100; i++) {
            assertThat(jitter.between(10, 50)).isBetween(10L, 49L);
        }
    }
}
