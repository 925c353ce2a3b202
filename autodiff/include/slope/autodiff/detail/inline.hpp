// SPDX-License-Identifier: MIT
#pragma once

// The hot record path and the per-op evaluation must inline into the user's loop even where the
// compiler's heuristics would not (a loss body with hundreds of ops); the cold error paths must
// stay out of it.
#if defined(__GNUC__)
#define SLOPE_INLINE [[gnu::always_inline]] inline
#define SLOPE_COLD [[gnu::cold, gnu::noinline]]
#else
#define SLOPE_INLINE inline
#define SLOPE_COLD
#endif
