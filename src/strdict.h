/* strdict.h -- StrDict's types, for module.c.
 */
#ifndef BINDING_STRDICT_H
#define BINDING_STRDICT_H

#include "binding.h"

/* --- strdict.c --------------------------------------------------------- */

extern PyType_Spec strdict_spec;
extern PyType_Spec strdict_iter_spec;

#endif /* BINDING_STRDICT_H */
