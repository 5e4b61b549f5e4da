package membank.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * What an experiment varies besides the arms: a named list of points, each a label and
 * {@code --set}-style overrides applied to the base before the arms are made from it (so an
 * iso-FLOP baseline is sized anew at every point). Without a sweep there is one unnamed point.
 */
public record Sweep(String name, List<Point> points) {
    public static final Sweep NONE = new Sweep("", List.of(new Point("", List.of())));

    /** One value of the swept quantity: its label (a directory name) and the overrides that set it. */
    public record Point(String label, List<String> set) {
        public Point {
            set = List.copyOf(set);
        }

        /** {@code base}'s overrides followed by this point's. */
        public List<String> after(List<String> base) {
            List<String> all = new ArrayList<>(base);
            all.addAll(set);
            return all;
        }
    }

    public Sweep {
        points = List.copyOf(points);
    }

    public boolean isNone() {
        return name.isEmpty();
    }

    /** The labels in order: the x axis of the sweep's plots. */
    public List<String> labels() {
        return points.stream().map(Point::label).toList();
    }
}
