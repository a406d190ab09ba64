// Enqueues one event in its own transaction, as an application would: consumer DATABASE_URL.
// Prints the event's id.
#include <eventlog/outbox_writer.h>

#include <iostream>
#include <pqxx/pqxx>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer DATABASE_URL\n";
    return 2;
  }
  pqxx::connection conn(argv[1]);
  pqxx::work tx(conn);
  eventlog::OutboxWriter writer("Test", 1 << 20);
  eventlog::Event event = eventlog::MakeEvent("ConsumerBuilt", {{"from", "out of tree"}});
  if (eventlog::Status s = writer.Enqueue(tx, event); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  tx.commit();
  std::cout << event.event_id << "\n";
  return 0;
}
