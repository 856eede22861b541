package io.shatter.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Puts every slice on a track where it overlaps no other (slices sorted by start). */
final class Tracks {
    private Tracks() {
    }

    /**
     * Reported slices keep their lane; a slice that starts before the previous one on its lane ended
     * (which mapped worker clocks should never produce) starts at that end instead, and is counted.
     * Unreported slices (lane -1) go to the first of the rank's tracks -1, -2, ... that is free at
     * their start, as in interval partitioning. Returns how many starts were moved.
     */
    static int separate(List<Slice> slices) {
        Map<Long, Long> laneEnd = new HashMap<>();
        Map<Integer, List<Long>> unreportedEnds = new HashMap<>();
        int adjusted = 0;
        for (int i = 0; i < slices.size(); i++) {
            Slice s = slices.get(i);
            if (s.lane() >= 0) {
                long key = ((long) s.rank() << 32) | s.lane();
                long previousEnd = laneEnd.getOrDefault(key, Long.MIN_VALUE);
                if (s.startNanos() < previousEnd) {
                    adjusted++;
                    s = s.moved(s.lane(), previousEnd, Math.max(previousEnd, s.endNanos()));
                    slices.set(i, s);
                }
                laneEnd.put(key, s.endNanos());
            } else {
                List<Long> ends = unreportedEnds.computeIfAbsent(s.rank(), r -> new ArrayList<>());
                int track = 0;
                while (track < ends.size() && ends.get(track) > s.startNanos()) {
                    track++;
                }
                if (track == ends.size()) {
                    ends.add(s.endNanos());
                } else {
                    ends.set(track, s.endNanos());
                }
                slices.set(i, s.moved(-1 - track, s.startNanos(), s.endNanos()));
            }
        }
        return adjusted;
    }
}
