#ifndef TZNR_VERSION_H
#define TZNR_VERSION_H
#define TZNR_VERSION "0.1.0"
#endif
