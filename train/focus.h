/* focus.h - Grad-CAM focus of one map (../shared/METHODS.md section 2, ERTS
 * eq. 3-4): min-max normalise the map to [0,1] (a constant map has focus 0),
 * then average the values at or above the 90th percentile.
 *
 * The map is taken as given (the producer has applied the ReLU).  The
 * percentile is NumPy's default ("linear"): sorted v, h = 0.9 (n - 1),
 * q = lerp(v[floor h], v[floor h + 1], h - floor h) with NumPy's lerp
 * (a + (b-a) t for t < 0.5, else b - (b-a)(1-t)), all in double, so ties at the
 * threshold fall the same way as in np.percentile.
 *
 * Resized variants first resize the raw map to the input resolution by
 * (bi)linear interpolation with half-pixel centres, the convention of
 * cv2.resize(INTER_LINEAR) (pytorch-grad-cam) and of torch
 * F.interpolate(align_corners=False, antialias=False): source coordinate
 * x = (dst + 0.5) * in / out - 0.5, clamped to [0, in - 1]; then normalise
 * and take the focus on the resized map. */
#ifndef CS_FOCUS_H
#define CS_FOCUS_H

#include <stdint.h>

/* Focus of n values (a 2-D map (H,W) passes H*W, a 1-D map (L) passes L).
 * `scratch` holds n doubles (NULL: allocated here).  Returns the focus in
 * *out; CS_EINVAL for n < 1 or a NaN/inf value. */
int cs_focus(const float *map, int64_t n, double *scratch, double *out);
/* Resize (h,w) -> (H,W) bilinearly, then cs_focus.  scratch: H*W doubles or NULL. */
int cs_focus_resized_2d(const float *map, int h, int w, int H, int W, double *scratch, double *out);
/* Resize (l) -> (L) linearly, then cs_focus.  scratch: L doubles or NULL. */
int cs_focus_resized_1d(const float *map, int l, int L, double *scratch, double *out);

#endif
