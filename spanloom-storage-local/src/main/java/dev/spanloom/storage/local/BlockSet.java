package dev.spanloom.storage.local;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The blocks that are visible to reads. Readers hold the shared lock while they read block
 * files; a change (a new block, a compaction's swap, retention) takes the exclusive lock only to
 * swap the list and remove the replaced blocks' files, so no reader ever sees a block vanish
 * under it. The lock is fair so that a stream of searches cannot starve a flush.
 */
final class BlockSet implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(BlockSet.class.getName());

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
  private volatile List<Block> blocks = List.of();

  /** Runs {@code reader} over the current blocks, which stay open and on disk meanwhile. */
  <T> T read(Function<List<Block>, T> reader) {
    lock.readLock().lock();
    try {
      return reader.apply(blocks);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The current blocks, to plan work on; only the compactor may remove blocks, so its plan holds. */
  List<Block> snapshot() {
    return blocks;
  }

  int size() {
    return blocks.size();
  }

  void add(Block block) {
    replace(List.of(), block);
  }

  /** Makes {@code added} (nullable) visible and {@code removed} invisible, then deletes the latter. */
  void replace(Collection<Block> removed, Block added) {
    lock.writeLock().lock();
    try {
      List<Block> next = new ArrayList<>(blocks.size() + 1);
      for (Block b : blocks) {
        if (!removed.contains(b)) next.add(b);
      }
      if (added != null) next.add(added);
      blocks = List.copyOf(next);
      for (Block b : removed) {
        try {
          b.close();
          Block.delete(b.dir());
        } catch (IOException e) {
          // Its data lives on in the replacement (or is past retention); a leftover is retried at start.
          LOG.log(Level.WARNING, "block.delete_failed block={0} error=\"{1}\"", b.id(), e.toString());
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      for (Block b : blocks) {
        try {
          b.close();
        } catch (IOException e) {
          LOG.log(Level.WARNING, "block.close_failed block={0} error=\"{1}\"", b.id(), e.toString());
        }
      }
      blocks = List.of();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
