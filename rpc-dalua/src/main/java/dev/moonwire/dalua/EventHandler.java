package dev.moonwire.dalua;

import dev.moonwire.rpc.Args;

/**
 * Handles an event DALua delivers (seed 000's {@code dalua.events.monitor}). Runs as an event
 * of its process, one handler per event: what one throws goes to the process's uncaught-error
 * handler, and the others still run.
 */
@FunctionalInterface
public interface EventHandler {
  /**
   * Handles one event, as an event of the monitoring process.
   *
   * @param event the event's name, e.g. {@code dalua_app_join}
   * @param args what the raiser passed; for {@code dalua_app_join}/{@code dalua_app_leave}:
   *     the app's name and the process that joined or left
   */
  void handle(String event, Args args) throws Exception;
}
