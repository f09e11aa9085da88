/* cmd: the subcommands, one file each (src/cmd_<verb>.c), registered in main.c's table. */
#ifndef TZNR_CMD_H
#define TZNR_CMD_H

int cmd_audit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_evaluation(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_feedback(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_links(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_pseudonymise(int argc, char **argv);
int cmd_reidentify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
