// Drives the Apache ZooKeeper Java client through every operation we want golden frames for.
// Run by capture.sh as a single-file program:  java -cp <zookeeper jars> Driver.java <host:port>
// Each step prints one line, so a capture's log says which frames belong to which call.
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

public class Driver {
  static final CountDownLatch[] connected = {new CountDownLatch(1)};

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void step(String name) {
    System.out.println("STEP " + name);
  }

  interface ZkCall {
    void run() throws Exception;
  }

  static void expectKeeperError(String name, ZkCall call) throws Exception {
    step(name);
    try {
      call.run();
      System.out.println("  no error");
    } catch (KeeperException e) {
      System.out.println("  " + e.code());
    }
  }

  static void awaitConnected() throws Exception {
    if (!connected[0].await(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected");
  }

  /** The recording proxy drops the connection on getData("/golden-drop"); the client then reconnects. */
  static void dropConnection(ZooKeeper zk) throws Exception {
    step("drop connection (reconnect sends SetWatches)");
    connected[0] = new CountDownLatch(1);
    try {
      zk.getData("/golden-drop", false, null);
    } catch (KeeperException.ConnectionLossException e) {
      System.out.println("  " + e.code());
    }
    awaitConnected();
  }

  public static void main(String[] args) throws Exception {
    Watcher watcher = event -> {
      System.out.println("  EVENT " + event);
      if (event.getState() == Watcher.Event.KeeperState.SyncConnected && event.getPath() == null) {
        connected[0].countDown();
      }
    };
    ZooKeeper zk = new ZooKeeper(args[0], 4000, watcher);
    awaitConnected();
    Stat stat = new Stat();

    step("create /g persistent");
    zk.create("/g", b("hello"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    step("create2 /g/c2 with null data");
    zk.create("/g/c2", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, stat);
    step("create ephemeral sequential /g/e-");
    zk.create("/g/e-", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
    step("createContainer /cont");
    zk.create("/cont", b("c"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
    step("createTTL /ttl");
    zk.create("/ttl", b("t"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, stat, 60000);
    expectKeeperError("create existing /g", () -> zk.create("/g", b("x"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));

    step("exists /g watch");
    zk.exists("/g", true);
    step("exists /missing watch");
    zk.exists("/missing", true);
    step("getData /g watch");
    zk.getData("/g", true, stat);
    expectKeeperError("getData /missing", () -> zk.getData("/missing", false, null));
    step("getChildren /g watch");
    zk.getChildren("/g", true);
    step("getChildren2 /");
    zk.getChildren("/", false, stat);
    step("getACL /g");
    zk.getACL("/g", stat);
    step("setACL /g/c2");
    zk.setACL("/g/c2", ZooDefs.Ids.OPEN_ACL_UNSAFE, -1);

    dropConnection(zk);

    step("setData /g (fires data watch)");
    zk.setData("/g", b("world"), -1);
    step("create /g/n (fires child watch)");
    zk.create("/g/n", b("n"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    expectKeeperError("setData bad version", () -> zk.setData("/g", b("x"), 99));
    expectKeeperError("delete not empty", () -> zk.delete("/g", -1));

    step("sync /g");
    CountDownLatch synced = new CountDownLatch(1);
    zk.sync("/g", (rc, path, ctx) -> synced.countDown(), null);
    synced.await(10, TimeUnit.SECONDS);

    step("multi ok");
    zk.multi(Arrays.asList(
        Op.create("/m", b("m"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
        Op.setData("/m", b("m2"), 0),
        Op.check("/m", 1),
        Op.delete("/m", 1),
        Op.create("/m2", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)));
    expectKeeperError("multi failing at check", () -> zk.multi(Arrays.asList(
        Op.create("/m3", b("m"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
        Op.check("/g", 42),
        Op.delete("/m2", -1))));
    step("multiRead");
    List<?> reads = zk.multi(Arrays.asList(Op.getData("/g"), Op.getChildren("/g"), Op.getData("/missing")));
    System.out.println("  " + reads.size() + " results");

    step("addWatch persistent /g");
    zk.addWatch("/g", AddWatchMode.PERSISTENT);
    step("addWatch persistent recursive /cont");
    zk.addWatch("/cont", AddWatchMode.PERSISTENT_RECURSIVE);
    step("getData /g/n watch");
    zk.getData("/g/n", true, null);

    dropConnection(zk);

    step("checkWatches /g/n data (removeWatches with a watcher)");
    zk.removeWatches("/g/n", watcher, Watcher.WatcherType.Data, false);
    expectKeeperError("removeAllWatches /nowatch", () -> zk.removeAllWatches("/nowatch", Watcher.WatcherType.Any, false));
    step("removeAllWatches /g");
    zk.removeAllWatches("/g", Watcher.WatcherType.Any, false);
    step("getEphemerals /");
    zk.getEphemerals("/");
    step("getAllChildrenNumber /");
    zk.getAllChildrenNumber("/");
    step("addAuthInfo digest");
    zk.addAuthInfo("digest", b("user:pass"));
    step("create with auth ACL");
    zk.create("/secret", b("s"), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
    step("whoAmI");
    System.out.println("  " + zk.whoAmI());
    step("idle 3 s (pings)");
    Thread.sleep(3000);
    step("close");
    zk.close();
  }
}
