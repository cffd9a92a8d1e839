package dev.plugboard.api;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;

/**
 * Runs every {@link MaintenanceTask}: on each replica's schedule and on demand (the admin endpoint,
 * for scale-to-zero hosting where no scheduler runs). One failing task does not stop the others.
 */
@ApplicationScoped
public class Maintenance {

  private static final Logger LOG = Logger.getLogger(Maintenance.class);

  /** The outcome of one task: items handled, or the error class when it failed. */
  @Schema(name = "MaintenanceTaskResult")
  public record Result(String task, long processed, String error) {}

  @Inject @Any Instance<MaintenanceTask> tasks;

  public List<Result> runAll() {
    List<MaintenanceTask> ordered = new ArrayList<>();
    tasks.forEach(ordered::add);
    ordered.sort(Comparator.comparing(MaintenanceTask::name));
    List<Result> results = new ArrayList<>();
    for (MaintenanceTask task : ordered) {
      try {
        long n = task.run();
        if (n > 0) {
          LOG.infof("maintenance %s: %d item(s)", task.name(), n);
        }
        results.add(new Result(task.name(), n, null));
      } catch (RuntimeException e) {
        LOG.errorf("maintenance %s failed: %s", task.name(), e.getClass().getName());
        results.add(new Result(task.name(), 0, e.getClass().getSimpleName()));
      }
    }
    return results;
  }

  @Scheduled(
      identity = "plugboard-maintenance",
      every = "${plugboard.maintenance.interval:5m}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    runAll();
  }
}
