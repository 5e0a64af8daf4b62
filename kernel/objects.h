/* Every kernel object type, for code that handles objects generically. */
#ifndef STRATA_KERNEL_OBJECTS_H
#define STRATA_KERNEL_OBJECTS_H

#include "kernel/frameobj.h"
#include "kernel/ipc.h"
#include "kernel/irq.h"
#include "kernel/notify.h"
#include "kernel/object.h"
#include "kernel/space.h"
#include "kernel/thread.h"

#endif
