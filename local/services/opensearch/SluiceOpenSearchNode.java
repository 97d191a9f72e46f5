import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single local OpenSearch node for Sluice's tests, started straight from Maven Central jars.
 *
 * <p>Why not the stock distribution: its bootstrap refuses to run as root, and its jar-hell and
 * security-manager checks expect the packaged layout. Subclassing {@link Node} reaches the protected
 * constructor that takes plugins from the classpath (the way OpenSearch's own test nodes start),
 * and skips those bootstrap checks.
 *
 * <p>Usage: {@code java -cp <lib>/*:<classes> SluiceOpenSearchNode key=value ...}; each argument is
 * one node setting (path.home, path.data, http.port, ...).
 */
public final class SluiceOpenSearchNode extends Node {

  /** The modules a plain distribution loads that Sluice needs: HTTP, scripts, analyzers, mappers. */
  private static final List<Class<? extends Plugin>> PLUGINS =
      List.of(
          Netty4Plugin.class,
          PainlessPlugin.class,
          CommonAnalysisPlugin.class,
          MapperExtrasPlugin.class);

  private SluiceOpenSearchNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
    // true: forbid private index settings, as a real node does.
    super(environment, plugins, true);
  }

  public static void main(String[] args) throws Exception {
    Settings.Builder builder = Settings.builder();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected key=value, got: " + arg);
      }
      builder.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    Settings settings = builder.build();
    String nodeName = settings.get("node.name", "sluice-local");
    Environment environment =
        InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), null, () -> nodeName);

    SluiceOpenSearchNode node;
    try {
      node = new SluiceOpenSearchNode(environment, PLUGINS);
    } catch (Throwable t) {
      fail(t);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM from the services CLI: flush and close shards cleanly so the next start is quick.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    node.close();
                    node.awaitClose(20, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                },
                "sluice-opensearch-shutdown"));
    try {
      node.start();
    } catch (Throwable t) {
      fail(t);
    }
    // Keep main (and so the JVM) alive until the shutdown hook has closed the node.
    stopped.await();
  }

  /**
   * A node that failed to start may already own non-daemon threads (thread pools, the data-path
   * lock) that would keep the JVM alive: halt, so the CLI sees the exit instead of a hung process.
   */
  private static void fail(Throwable t) {
    System.err.println("SluiceOpenSearchNode: node failed to start");
    t.printStackTrace();
    System.err.flush();
    Runtime.getRuntime().halt(1);
  }
}
