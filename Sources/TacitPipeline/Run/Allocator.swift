#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator settings for training.
///
/// glibc serves blocks above its mmap threshold (at most 32 MiB by default) with fresh `mmap`s and
/// returns them to the kernel on `free`, so every step that allocates a large buffer (the im2col
/// columns of a batch of 2,048 images are 88 MB) pays for zeroing and faulting in every page
/// again. Raising the thresholds keeps such blocks in the heap for reuse. Measured on
/// `Recipes/fmnist-dp-eps3.yaml`: see docs/performance.md.
public enum Allocator {
  /// Raises glibc's mmap and trim thresholds to 1 GiB (no effect with other C libraries).
  ///
  /// `mallopt` is declared in `<malloc.h>`, which the Glibc module does not export; it is looked
  /// up by name. `M_TRIM_THRESHOLD` is −1 and `M_MMAP_THRESHOLD` −3 in glibc's ABI.
  public static func configureForTraining() {
    #if canImport(Glibc)
    typealias MalloptFunction = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: MalloptFunction.self)
    let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
    _ = mallopt(mmapThreshold, 1 << 30)
    _ = mallopt(trimThreshold, 1 << 30)
    #endif
  }
}
