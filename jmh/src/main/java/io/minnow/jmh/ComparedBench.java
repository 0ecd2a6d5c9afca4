package io.minnow.jmh;

import io.minnow.engine.bench.Bench;

import java.util.List;

/**
 * A whole-model JMH state that {@link InterleavedModelBench} can also drive: its benchmark bodies, in the order
 * of the class's {@code ENGINES}, and its tear-down ({@link ModelBench}, {@link QuantModelBench}).
 */
interface ComparedBench {
    List<Bench.Body> bodies();

    void tearDown() throws Exception;
}
