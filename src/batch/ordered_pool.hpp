#pragma once
// An ordered thread pool: worker threads produce the results of chunks 0..n-1 in any order;
// the calling thread consumes them strictly in order, as soon as the next one is ready. At
// most `window` finished chunks wait in memory. An exception in a producer or the consumer
// stops the pool; the workers are joined on every exit path and the first exception rethrown.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace llm_energy::batch {

// `make_worker()` returns a callable `T(std::size_t chunk)`, one per thread (each may own
// state, e.g. a cache); `consume(T&&)` runs on this thread in chunk order.
template <class T, class MakeWorker, class Consume>
void run_ordered(std::size_t chunks, unsigned threads, std::size_t window, MakeWorker&& make_worker,
                 Consume&& consume) {
  std::vector<std::optional<T>> done(chunks);
  std::mutex mu;
  std::condition_variable cv;
  std::size_t consumed = 0;  // guarded by mu
  bool stop = false;         // guarded by mu
  std::exception_ptr failure;
  std::atomic<std::size_t> next{0};

  auto work = [&] {
    try {
      auto produce = make_worker();
      while (true) {
        const std::size_t c = next.fetch_add(1);
        if (c >= chunks) {
          return;
        }
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return c < consumed + window || stop; });
          if (stop) {
            return;
          }
        }
        T result = produce(c);
        {
          const std::lock_guard<std::mutex> lock(mu);
          done[c] = std::move(result);
        }
        cv.notify_all();
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mu);
      if (!failure) {
        failure = std::current_exception();
      }
      stop = true;
      cv.notify_all();
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(threads);
  // Stop and join the workers however this thread leaves.
  struct Joiner {
    std::vector<std::thread>& pool;
    std::mutex& mu;
    std::condition_variable& cv;
    bool& stop;
    ~Joiner() {
      {
        const std::lock_guard<std::mutex> lock(mu);
        stop = true;
      }
      cv.notify_all();
      for (auto& t : pool) {
        if (t.joinable()) {
          t.join();
        }
      }
    }
  };
  {
    const Joiner joiner{pool, mu, cv, stop};
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back(work);
    }
    for (std::size_t c = 0; c < chunks; ++c) {
      T item;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return done[c].has_value() || stop; });
        if (!done[c].has_value()) {
          break;  // a worker failed
        }
        item = std::move(*done[c]);
        done[c].reset();
      }
      try {
        consume(std::move(item));
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mu);
        if (!failure) {
          failure = std::current_exception();
        }
        stop = true;
        break;
      }
      {
        const std::lock_guard<std::mutex> lock(mu);
        consumed = c + 1;
      }
      cv.notify_all();
    }
  }  // joins the workers
  if (failure) {
    std::rethrow_exception(failure);
  }
}

}  // namespace llm_energy::batch
