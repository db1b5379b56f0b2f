export default function EventsPage() { return <div>Events</div>; }
