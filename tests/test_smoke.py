def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="password"' in response.data


def test_coordinator_sees_network(coordinator_client):
    response = coordinator_client.get("/n/magdeburg")
    assert response.status_code == 200
    assert "Netzwerk Magdeburg" in response.get_data(as_text=True)
