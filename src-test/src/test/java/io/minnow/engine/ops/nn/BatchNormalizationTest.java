package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static io.minnow.engine.ops.nn.NodeCase.assertClose;
import static io.minnow.engine.ops.nn.NodeCase.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchNormalizationTest {
    @Test
    void inferenceFormulaPerChannel() {
        Random rnd = new Random(3);
        Tensor x = random(rnd, 2, 3, 4, 5), scale = random(rnd, 3), b = random(rnd, 3), mean = random(rnd, 3);
        Tensor var = Tensor.of(new float[]{0.5f, 1.5f, 2f}, 3);
        Tensor y = new NodeCase("BatchNormalization").input("x", x).constant("s", scale).constant("b", b).constant("m", mean)
                .constant("v", var).attr("epsilon", 1e-3f).output("y").run();
        Tensor e = x.copy();
        for (long i = 0; i < x.size(); i++) {
            int c = (int) (i / 20 % 3);
            e.setFloat(i, (float) ((x.getFloat(i) - mean.getFloat(c)) / Math.sqrt(var.getFloat(c) + 1e-3) * scale.getFloat(c) + b.getFloat(c)));
        }
        assertClose(e, y, 1e-5, 1e-6, "bn");
        Tensor x2 = random(rnd, 4, 3); // rank 2
        Tensor y2 = new NodeCase("BatchNormalization").input("x", x2).constant("s", scale).constant("b", b).constant("m", mean)
                .constant("v", var).output("y").run();
        for (int i = 0; i < 12; i++) {
            int c = i % 3;
            double ex = (x2.getFloat(i) - mean.getFloat(c)) / Math.sqrt(var.getFloat(c) + 1e-5) * scale.getFloat(c) + b.getFloat(c);
            org.junit.jupiter.api.Assertions.assertEquals(ex, y2.getFloat(i), 1e-5);
        }
    }

    @Test
    void trainingModeUsesBatchStatistics() {
        Random rnd = new Random(4);
        Tensor x = random(rnd, 3, 2, 4), scale = random(rnd, 2), b = random(rnd, 2), mean = random(rnd, 2);
        Tensor var = Tensor.of(new float[]{1f, 2f}, 2);
        Map<String, Tensor> out = new NodeCase("BatchNormalization").opset(15).input("x", x).constant("s", scale).constant("b", b)
                .constant("m", mean).constant("v", var).attr("training_mode", 1L).attr("momentum", 0.8f)
                .output("y").output("rm").output("rv").run(1, 256);
        for (int c = 0; c < 2; c++) {
            double sum = 0, sq = 0;
            for (int n = 0; n < 3; n++) for (int i = 0; i < 4; i++) sum += x.getFloat((n * 2 + c) * 4 + i);
            double mu = sum / 12;
            for (int n = 0; n < 3; n++) for (int i = 0; i < 4; i++) sq += Math.pow(x.getFloat((n * 2 + c) * 4 + i) - mu, 2);
            double v = sq / 12;
            org.junit.jupiter.api.Assertions.assertEquals(mean.getFloat(c) * 0.8 + mu * 0.2, out.get("rm").getFloat(c), 1e-5);
            org.junit.jupiter.api.Assertions.assertEquals(var.getFloat(c) * 0.8 + v * 0.2, out.get("rv").getFloat(c), 1e-5);
            double y0 = (x.getFloat(c * 4) - mu) / Math.sqrt(v + 1e-5) * scale.getFloat(c) + b.getFloat(c);
            org.junit.jupiter.api.Assertions.assertEquals(y0, out.get("y").getFloat(c * 4), 1e-5);
        }
    }

    @Test
    void extraOutputsOutsideTrainingAreRefused() {
        Random rnd = new Random(5);
        Tensor x = random(rnd, 1, 2, 3), p = random(rnd, 2);
        MinnowException e = assertThrows(MinnowException.class, () -> new NodeCase("BatchNormalization").opset(9).input("x", x)
                .constant("s", p).constant("b", p).constant("m", p).constant("v", p).output("y").output("mean").run());
        assertTrue(e.getMessage().contains("training") && e.getMessage().contains("n0"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> new NodeCase("BatchNormalization").input("x", x)
                .constant("s", random(rnd, 3)).constant("b", p).constant("m", p).constant("v", p).output("y").run());
        assertTrue(e.getMessage().contains("input 1"), e.getMessage());
    }
}
